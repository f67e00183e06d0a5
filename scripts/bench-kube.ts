// Benchmark of the cluster agent as it is deployed: the built agent (`node dist/cli.js serve
// --mode=cluster`, run `npm run build` first) and the test API server (scripts/bench-kube-api.ts) each
// in their own process, this one only the scraping client, so the agent's RSS and CPU are its own.
// Measures the time to the first scrape (initial lists of every watched resource), scrape latency (to the
// last byte) and the kube collector's duration with a steady stream of watch events arriving, the agent's CPU,
// watch throughput, bytes on the wire with and without gzip and what gzip costs, RSS. Bounded (fixed objects,
// scrapes, events); it prints JSON and stops by itself. Options: --cpu-prof=DIR profiles the agent
// (node --cpu-prof, written when it exits); --agent=PATH runs another build's cli.js; --semi-space=MiB
// sets V8's young generation; --node-option=OPTION adds a node option (repeatable); --save-metrics=FILE keeps
// the last /metrics text; --trace-gc=FILE writes V8's line per garbage collection in the agent there;
// --malloc=adaptive leaves out the glibc malloc environment the bin and the image set (scripts/shipped-launch.ts).
//   npm run bench:kube -- [--vms=10000] [--scrapes=20] [--interval=15] [--rate=200] [--events=5000]
//     [--min-interval=0]
import { fork, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../test/support/kubevirt-objects.js';
import { parsePromText, series, value } from '../test/support/prom-text.js';
import { freePort } from '../test/support/prometheus.js';
import { USER_HZ } from './bench-measures.js';
import { shippedLaunch } from './shipped-launch.js';

const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const VMS = Math.min(arg('vms', 10000), 20000);
const SCRAPES = Math.min(arg('scrapes', 20), 500);
const INTERVAL_S = Math.min(arg('interval', 15), 60);
const RATE = Math.min(arg('rate', 200), 5000);
const EVENTS = Math.min(arg('events', 5000), 50000);
/** Another build of the agent to compare with (a copy of dist/ from an earlier commit, inside the checkout). */
const AGENT = process.argv.find((a) => a.startsWith('--agent='))?.split('=')[1];
/** Writes the last /metrics text there, to look at what a scrape carries. */
const SAVE = process.argv.find((a) => a.startsWith('--save-metrics='))?.split('=')[1];
/** V8's young generation for the agent, in MiB, instead of the bin's (--semi-space=MiB). */
const SEMI_SPACE = process.argv.find((a) => a.startsWith('--semi-space='))?.split('=')[1];
/** --malloc=adaptive: without the bin's glibc malloc environment (what the image and the bin set). */
const ADAPTIVE_MALLOC = process.argv.includes('--malloc=adaptive');
/** More node options for the agent (--node-option=--heap-growing-percent=100), after the bin's. */
const NODE_OPTIONS = process.argv
  .filter((a) => a.startsWith('--node-option='))
  .map((a) => a.slice('--node-option='.length));
const CPU_PROF = process.argv.find((a) => a.startsWith('--cpu-prof='))?.split('=')[1];
const TRACE_GC = process.argv.find((a) => a.startsWith('--trace-gc='))?.split('=')[1];
/**
 * The agent's --collector.min-interval in seconds: 0 (the default here) makes every scrape collect, so a scrape's
 * latency holds the whole collection; 5 is the agent's own default, where a steady scraper's result is prefetched.
 */
const MIN_INTERVAL = arg('min-interval', 0);
const ms = (t: bigint) => Number(t) / 1e6;
const mib = (b: number) => Number((b / 2 ** 20).toFixed(1));
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
/** The agent's CPU has not moved for this long: it has drained the events it was sent. */
const QUIET_MS = 300;

// The API server's process; messages are answers to the commands of bench-kube-api.ts.
const child = fork(fileURLToPath(new URL('./bench-kube-api.ts', import.meta.url)), [`--vms=${VMS}`], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
type Reply = Record<string, unknown> & { ok: string };
const replies: Reply[] = [];
let wake: (() => void) | null = null;
child.on('message', (m: Reply) => {
  replies.push(m);
  wake?.();
});
async function reply(ok: string): Promise<Reply> {
  for (;;) {
    const i = replies.findIndex((r) => r.ok === ok);
    if (i >= 0) return replies.splice(i, 1)[0] as Reply;
    await new Promise<void>((r) => (wake = r));
  }
}
const ask = (m: Record<string, unknown>) => {
  child.send(m);
  return reply(String(m.cmd));
};
const ready = await reply('ready');
const apiCpuAtReady = Number((await ask({ cmd: 'stats' })).cpuMs);

const port = await freePort();
let t0 = process.hrtime.bigint();
// The agent starts as the bin's first line starts it (node's flags and its malloc environment).
const launch = shippedLaunch();
const agent = spawn(
  process.execPath,
  [
    ...launch.nodeFlags.map((f) =>
      SEMI_SPACE !== undefined && f.startsWith('--max-semi-space-size=') ? `--max-semi-space-size=${SEMI_SPACE}` : f,
    ),
    ...NODE_OPTIONS,
    ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []),
    ...(TRACE_GC ? ['--trace-gc'] : []),
    AGENT ?? fileURLToPath(new URL('../dist/cli.js', import.meta.url)),
    'serve',
    '--mode=cluster',
    `--kube.config=${writeKubeconfig(String(ready.url))}`,
    '--cluster=bench',
    `--collector.min-interval=${MIN_INTERVAL}s`,
    '--collector.timeout=60s',
    `--web.listen-address=127.0.0.1:${port}`,
    `--log.level=${process.env.BENCH_AGENT_LOG ?? 'warn'}`,
  ],
  {
    stdio: ['ignore', TRACE_GC ? openSync(TRACE_GC, 'w') : 'ignore', 'inherit'],
    env: { ...process.env, ...(ADAPTIVE_MALLOC ? {} : launch.env) },
  },
);
const agentPid = agent.pid as number;
const agentExited = new Promise<void>((resolve) => agent.on('exit', () => resolve()));
/** The agent's CPU (user + system) in ms, and its RSS and peak RSS (VmHWM) in bytes. */
const cpuOf = () => {
  const stat = readFileSync(`/proc/${agentPid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
};
const memOf = () => {
  const status = readFileSync(`/proc/${agentPid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
};
/**
 * One GET /metrics over a plain HTTP client: the bytes as sent, the text, and the ms from the request to the last
 * byte (the agent's answer; this client's own gunzip and decoding come after).
 */
function scrape(gzip: boolean): Promise<{ wireBytes: number; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const headers = gzip ? { 'Accept-Encoding': 'gzip' } : {};
    const start = process.hrtime.bigint();
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const took = ms(process.hrtime.bigint() - start);
          const raw = Buffer.concat(chunks);
          const body = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
          resolve({ wireBytes: raw.length, text: body.toString('utf8'), ms: took });
        });
      })
      .on('error', reject);
  });
}
const collectorMsOf = (text: string) => {
  const d = /^vmzombie_collector_duration_seconds\{collector="kubevirt"[^}]*\} (\S+)$/m.exec(text);
  return d ? Number(d[1]) * 1000 : NaN;
};
const freezeTotal = (text: string) =>
  [...text.matchAll(/^vmzombie_kubevirt_vmi_freeze_transitions_total\{[^}]*\} (\d+)$/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );

// The first scrape: as soon as the agent listens, it waits for the initial lists.
let body = '';
let firstScrapeAt = Date.now();
for (;;) {
  try {
    firstScrapeAt = Date.now();
    body = (await scrape(true)).text;
    break;
  } catch {
    await sleep(20);
  }
}
const firstScrapeMs = ms(process.hrtime.bigint() - t0);
const rssAfterFirst = memOf().rss;
const agentCpuAtFirst = cpuOf();
const afterSync = await ask({ cmd: 'stats' });
const listsAfterSync = Number(afterSync.listRequests);
// What the API server spent answering the initial lists (and the first pod metrics), on the same two cores.
const apiCpuForLists = Number(afterSync.cpuMs) - apiCpuAtReady;

// Steady state: scrapes every INTERVAL_S with RATE watch events a second arriving in between, as Prometheus
// would see it (gzip asked). Like Prometheus, the client keeps to its ticks (first scrape + k intervals) whatever
// a scrape took, so the agent sees a steady interval from the first scrape on.
await ask({ cmd: 'churn', perSecond: RATE });
const latencies: number[] = [];
const collectorMs: number[] = [];
const rss: number[] = [];
// RSS every 250 ms through the steady phase too: what a scrape's sample misses between scrapes.
const rssSampled: number[] = [];
const rssSampler = setInterval(() => rssSampled.push(memOf().rss), 250);
const scrapeCpuMs: number[] = [];
const steadyCpu0 = cpuOf();
const steadyT0 = Date.now();
for (let i = 0; i < SCRAPES; i++) {
  await sleep(Math.max(0, firstScrapeAt + (i + 1) * INTERVAL_S * 1000 - Date.now()));
  const cpu = cpuOf();
  const answer = await scrape(true);
  body = answer.text;
  latencies.push(answer.ms);
  scrapeCpuMs.push(cpuOf() - cpu);
  collectorMs.push(collectorMsOf(body));
  rss.push(memOf().rss);
}
const steadyCpuMs = cpuOf() - steadyCpu0;
clearInterval(rssSampler);
// Where the agent's memory is, from its own process metrics in the last steady scrape.
const memoryOfLastScrape = (() => {
  const samples = parsePromText(body);
  const of = (name: string) => mib(value(samples, name) ?? NaN);
  return {
    rss: of('process_resident_memory_bytes'),
    heapTotal: of('nodejs_heap_size_total_bytes'),
    heapUsed: of('nodejs_heap_size_used_bytes'),
    external: of('nodejs_external_memory_bytes'),
    heapSpacesUsed: Object.fromEntries(
      series(samples, 'nodejs_heap_space_size_used_bytes').map((s) => [s.labels.space, mib(s.value)]),
    ),
  };
})();
const steadyWallMs = Date.now() - steadyT0;
const churned = await ask({ cmd: 'stop' });
const pct = (list: number[], p: number) =>
  Number([...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(p * list.length))]?.toFixed(1));
const dist = (list: number[]) => ({ p50: pct(list, 0.5), p95: pct(list, 0.95), max: pct(list, 1) });

// The watch alone: a burst of freeze toggles with no scrape in flight, timed until the agent's CPU stops moving
// (it has nothing else to do: the scraper is quiet, the next prefetch is a whole interval away), then checked by a
// scrape once min-interval has passed. Its CPU per event is what the event path costs. Held, the API server stores
// the whole burst first and then writes it out at once, and the time runs from that moment: the agent's reading
// alone. Streamed, each event is written as it is stored, and the test API server's storing (a clone and a JSON
// encoding per event, on the same cores) runs inside the time.
async function drainBurst(held: boolean) {
  await sleep(500);
  const baseline = freezeTotal((await scrape(true)).text);
  const cpu0 = cpuOf();
  const asked = Date.now();
  const burst = await ask({ cmd: 'burst', events: EVENTS, held });
  const t0 = held ? Number(burst.releasedAt) : asked;
  let cpu = cpuOf();
  let lastMoved = Date.now();
  while (Date.now() - lastMoved < QUIET_MS && Date.now() - t0 < 60_000) {
    await sleep(5);
    const c = cpuOf();
    if (c !== cpu) {
      cpu = c;
      lastMoved = Date.now();
    }
  }
  const drainMs = lastMoved - t0;
  await sleep(MIN_INTERVAL * 1000 + 100);
  const counted = freezeTotal((await scrape(true)).text) - baseline;
  return {
    events: EVENTS,
    counted,
    ms: Math.round(drainMs),
    perSecond: Math.round(EVENTS / (drainMs / 1000)),
    agentCpuMsPerEvent: Number(((cpu - cpu0) / EVENTS).toFixed(3)),
    apiServerStoreMs: Math.round(Number(burst.storeMs)),
  };
}
const watchDrainStreamed = await drainBurst(false);
const watchDrain = await drainBurst(true);

// Watch throughput: a burst of freeze toggles, timed until the counters show them all (each scrape at min-interval 0
// collects, detects and renders on the same core as the event stream).
await sleep(500);
const baseline = freezeTotal((await scrape(true)).text);
t0 = process.hrtime.bigint();
const burst = await ask({ cmd: 'burst', events: EVENTS });
const deadline = Date.now() + 120_000;
let seen = 0;
while (Date.now() < deadline) {
  seen = freezeTotal((await scrape(true)).text) - baseline;
  if (seen >= EVENTS) break;
  await sleep(20);
}
const eventsMs = ms(process.hrtime.bigint() - t0);

// Bytes on the wire, and what gzip costs for this body (level 1 as served, and zlib's default for comparison).
const plain = await scrape(false);
if (SAVE) writeFileSync(SAVE, plain.text);
const zipped = await scrape(true);
const gzipCost = (level: number) => {
  const times: number[] = [];
  const buf = Buffer.from(plain.text);
  let size = 0;
  for (let i = 0; i < 7; i++) {
    const t = process.hrtime.bigint();
    size = zlib.gzipSync(buf, { level }).length;
    times.push(ms(process.hrtime.bigint() - t));
  }
  return { ms: pct(times, 0.5), bytes: size };
};
const stats = await ask({ cmd: 'stats' });
const mem = memOf();

console.log(
  JSON.stringify(
    {
      objects: ready.counts,
      firstScrapeMs: Math.round(firstScrapeMs),
      // CPU up to the first scrape's answer: the agent's (start, initial lists, first collection) and the test API
      // server's for the lists (both processes share the machine's cores).
      firstScrapeCpuMs: { agent: Math.round(agentCpuAtFirst), apiServer: Math.round(apiCpuForLists) },
      steady: {
        scrapes: SCRAPES,
        intervalSeconds: INTERVAL_S,
        eventsPerSecond: RATE,
        eventsSent: churned.sent,
        minIntervalSeconds: MIN_INTERVAL,
      },
      scrapeMs: dist(latencies),
      // Each steady scrape in order: with min-interval above 0 the first collects (the agent knows no interval
      // yet), later ones are answered from a prefetched result.
      scrapesMs: latencies.map((l) => Number(l.toFixed(1))),
      collectorsMs: collectorMs.map((c) => Number(c.toFixed(1))),
      kubeCollectorMs: dist(collectorMs),
      // Everything the agent did in the steady phase (watch events, collections, rendering), per scrape.
      agentCpu: {
        // CPU the agent used while answering a scrape (collection, detection, rendering; 10 ms ticks, so the mean).
        msPerScrape: Math.round(scrapeCpuMs.reduce((a, b) => a + b, 0) / SCRAPES),
        msPerScrapeInterval: Math.round(steadyCpuMs / SCRAPES),
        percentOfOneCore: Number(((100 * steadyCpuMs) / steadyWallMs).toFixed(1)),
      },
      relistsAfterSync: Number(stats.listRequests) - listsAfterSync,
      // Events a second until the agent's CPU stopped (to the 10 ms tick), with no scrape in flight: held (the
      // agent's reading alone) and streamed (the API server's storing inside the time).
      watchDrain,
      watchDrainStreamed,
      watchThroughput: {
        events: EVENTS,
        counted: seen,
        ms: Math.round(eventsMs),
        perSecond: Math.round(EVENTS / (eventsMs / 1000)),
        apiServerStoreMs: Math.round(Number(burst.storeMs)),
        ...(MIN_INTERVAL > 0
          ? { note: 'the counters move at collections, at most once per min-interval: a lower bound' }
          : {}),
      },
      wire: {
        identityBytes: plain.wireBytes,
        gzipBytes: zipped.wireBytes,
        gzipLevel1: gzipCost(1),
        gzipLevel6: gzipCost(6),
      },
      agentRssMiB: {
        afterFirstScrape: mib(rssAfterFirst),
        steadyMax: mib(Math.max(...rss)),
        steadySampledEvery250ms: {
          p50: mib(pct(rssSampled, 0.5)),
          max: mib(Math.max(...rssSampled)),
        },
        end: mib(mem.rss),
        peak: mib(mem.hwm),
        lastSteadyScrape: memoryOfLastScrape,
      },
      note: 'agent, test API server and client are three processes sharing the machine',
    },
    null,
    2,
  ),
);
agent.kill('SIGTERM');
await agentExited;
child.disconnect();
