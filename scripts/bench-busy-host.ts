// Benchmark of the built node agent (dist/cli.js serve, every node collector) on a busy host: thousands of
// extra processes (idle `sleep` children, killed at the end) and a private real libvirtd serving a
// test-driver node file of many domains over test+unix://. Prints one JSON object; asserts nothing.
//   npm run build && node --import tsx scripts/bench-busy-host.ts [processes=5000] [domains=1000]
//     [scrapes=10] [idle-seconds=120] [--agent=PATH] [--cpu-prof=DIR] [--idle-flag=FLAG ...]
//     [--node-option=OPT ...]
//   --agent=PATH runs another build's cli.js (a copy of dist/ from an earlier commit, inside the checkout, so
//   its imports resolve); --cpu-prof=DIR profiles both agents (node --cpu-prof, written when each exits);
//   --idle-flag=FLAG (repeatable) adds an agent flag to step 2 (--idle-flag=--collector.cpu-budget=0: no budget);
//   --node-option=OPT (repeatable) adds a node option to both agents' (after the shipped ones).
// 1. Whole scrape with --collector.min-interval=0s (every scrape collects), back to back: wall time per
//    scrape and the agent's and libvirtd's CPU per collection (/proc/<pid>/stat).
// 2. The agent as it runs by default, scraped every 15 s: CPU % of one core over the run, RSS max, how many
//    collections the scrapes saw and the oldest result one was served.
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { PrivateLibvirtd } from '../test/support/private-libvirtd.js';
import { acquireLock, prepareLibvirtHost, releaseLock } from '../test/support/libvirtd.js';
import { testNodeXml } from './test-node-xml.js';
import { USER_HZ, pct, cpuTicks, cpuTicksSplit, rssMiB } from './bench-measures.js';
import { freePort } from '../test/support/prometheus.js';
import { parsePromText, value } from '../test/support/prom-text.js';
import { shippedLaunch } from './shipped-launch.js';

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const processes = Math.max(0, Math.min(Number(positional[0] ?? 5000), 20000));
const domains = Math.max(10, Math.min(Number(positional[1] ?? 1000), 5000));
const scrapes = Math.max(3, Math.min(Number(positional[2] ?? 10), 100));
const idleSeconds = Math.max(15, Math.min(Number(positional[3] ?? 120), 900));
const AGENT = option('agent') ?? 'dist/cli.js';
const IDLE_FLAGS = process.argv.filter((a) => a.startsWith('--idle-flag=')).map((a) => a.slice('--idle-flag='.length));
const CPU_PROF = option('cpu-prof');
const NODE_OPTIONS = process.argv
  .filter((a) => a.startsWith('--node-option='))
  .map((a) => a.slice('--node-option='.length));

const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
const round = (x: number, d = 1) => Number(x.toFixed(d));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

async function scrape(url: string): Promise<number> {
  return (await scrapeText(url)).ms;
}

async function scrapeText(url: string): Promise<{ ms: number; text: string }> {
  const t = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms: performance.now() - t, text };
}

/** When the collection a scrape was served from ran procfs (every node collection does), Unix seconds. */
function procfsCollectedAt(text: string): number {
  const at = value(parsePromText(text), 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'procfs' });
  return at ?? NaN;
}

/** Starts the agent and waits for its first answer (a first collection included). */
async function startAgent(flags: string[]) {
  const port = await freePort();
  const launch = shippedLaunch();
  const agent = execa(
    'node',
    [
      ...launch.nodeFlags,
      ...NODE_OPTIONS,
      ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []),
      AGENT,
      'serve',
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ],
    { reject: false, env: launch.env },
  );
  const url = `http://127.0.0.1:${port}/metrics`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { agent, url, pid: agent.pid as number };
    await new Promise((r) => setTimeout(r, 100));
  }
  agent.kill('SIGKILL');
  throw new Error('the agent did not answer');
}

const processesBefore = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).length;
const result: Record<string, unknown> = {
  benchmark: 'busy-host',
  agent: AGENT,
  nodeOptions: NODE_OPTIONS,
  processes,
  domains,
  cores: os.cpus().length,
  loadavgStart: await loadavg(),
};

// The extra processes: one shell in its own process group starting `processes` sleeps; the group is
// killed by its id at the end.
const sleepers = spawn('bash', ['-c', `for ((i = 0; i < ${processes}; i++)); do sleep 86400 & done; wait`], {
  detached: true,
  stdio: 'ignore',
});
const killSleepers = () => {
  try {
    process.kill(-(sleepers.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
};
process.once('exit', killSleepers);

await acquireLock();
await prepareLibvirtHost();
const d = await PrivateLibvirtd.start();
try {
  for (let i = 0; i < 600; i++) {
    const now = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).length;
    if (now >= processesBefore + processes) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  result.processesOnHost = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).length;
  const node = path.join(d.dir, 'node.xml');
  await writeFile(node, testNodeXml(domains));
  const common = [`--libvirt.uri=test+unix://${node}?socket=${d.roSocket}`, `--libvirt.run-dir=${d.runDir}/qemu`];

  // 1. Every scrape collects.
  {
    const { agent, url, pid } = await startAgent([...common, '--collector.min-interval=0s', '--collector.timeout=60s']);
    try {
      const first = await scrape(url);
      const times: number[] = [];
      const own0 = await cpuTicksSplit(pid);
      const daemon0 = await cpuTicks(d.pid);
      for (let i = 0; i < scrapes; i++) times.push(await scrape(url));
      const own1 = await cpuTicksSplit(pid);
      const own = ((own1.user + own1.system - own0.user - own0.system) * (1000 / USER_HZ)) / scrapes;
      const ownSystem = ((own1.system - own0.system) * (1000 / USER_HZ)) / scrapes;
      const daemon = (((await cpuTicks(d.pid)) - daemon0) * (1000 / USER_HZ)) / scrapes;
      const body = await (await fetch(url)).text();
      const exported = body.split('\n').filter((l) => l.startsWith('vmzombie_libvirt_domain_info{')).length;
      const durations = Object.fromEntries(
        body
          .split('\n')
          .filter((l) => l.startsWith('vmzombie_collector_duration_seconds{'))
          .map((l) => [/collector="([^"]+)"/.exec(l)?.[1], round(Number(l.split(' ').pop()) * 1000)]),
      );
      result.wholeScrape = {
        flags: '--collector.min-interval=0s',
        scrapes,
        firstMs: round(first),
        p50Ms: round(pct(times, 0.5)),
        p95Ms: round(pct(times, 0.95)),
        maxMs: round(Math.max(...times)),
        agentCpuMsPerCollection: round(own),
        ofItInTheKernelMs: round(ownSystem),
        libvirtdCpuMsPerCollection: round(daemon),
        domainsExported: exported,
        collectorMsLastScrape: durations,
      };
    } finally {
      agent.kill('SIGTERM');
      await agent;
    }
  }

  // 2. Default flags, a 15 s scrape interval.
  {
    const { agent, url, pid } = await startAgent([...common, ...IDLE_FLAGS]);
    try {
      // The result the window starts from: a first scrape served it again is not a new collection.
      let lastAt = procfsCollectedAt((await scrapeText(url)).text);
      const start = await cpuTicksSplit(pid);
      const cpu0 = start.user + start.system;
      const t0 = performance.now();
      let maxRss = 0;
      const collectedAt = new Set<number>();
      let oldestServed = 0;
      // The agent's CPU from one scrape to the next, by whether the later scrape was served a new collection.
      const withCollection: number[] = [];
      const heldOnly: number[] = [];
      // Of the intervals with a new collection, the part in the kernel (reading /proc, libvirt's socket).
      const withCollectionSystem: number[] = [];
      let lastCpu = cpu0;
      let lastSystem = start.system;
      for (let s = 0; s < idleSeconds; s += 15) {
        await new Promise((r) => setTimeout(r, 15_000));
        const { text } = await scrapeText(url);
        const at = procfsCollectedAt(text);
        const { user, system } = await cpuTicksSplit(pid);
        const cpuNow = user + system;
        (at !== lastAt ? withCollection : heldOnly).push(((cpuNow - lastCpu) * 1000) / USER_HZ);
        if (at !== lastAt) withCollectionSystem.push(((system - lastSystem) * 1000) / USER_HZ);
        lastSystem = system;
        lastAt = at;
        lastCpu = cpuNow;
        collectedAt.add(at);
        oldestServed = Math.max(oldestServed, Date.now() / 1000 - at);
        maxRss = Math.max(maxRss, await rssMiB(pid));
      }
      const wall = (performance.now() - t0) / 1000;
      // Whether the agent heard libvirt's lifecycle events (the longer hold), as its landing page says.
      const landing = await (await fetch(url.replace(/\/metrics$/, '/'))).text();
      const cpu = ((await cpuTicks(pid)) - cpu0) / USER_HZ;
      result.idle = {
        flags: IDLE_FLAGS.length ? IDLE_FLAGS.join(' ') : 'defaults',
        scrapeIntervalS: 15,
        scrapes: Math.ceil(idleSeconds / 15),
        collectionsServed: collectedAt.size,
        oldestResultServedS: round(oldestServed),
        lifecycleEventsHeard: /started, stopped or migrated ends a hold/.test(landing),
        cpuMsPerIntervalWithCollection: round(mean(withCollection)),
        ofItInTheKernelMs: round(mean(withCollectionSystem)),
        cpuMsPerIntervalHeld: round(mean(heldOnly)),
        seconds: round(wall, 0),
        cpuPercentOfOneCore: round((100 * cpu) / wall, 2),
        rssMaxMiB: round(maxRss),
        rssMaxMB: round((maxRss * 2 ** 20) / 1e6),
        rssEndMiB: round(await rssMiB(pid)),
      };
    } finally {
      agent.kill('SIGTERM');
      await agent;
    }
  }
  result.loadavgEnd = await loadavg();
} finally {
  killSleepers();
  await d.stop();
  await releaseLock();
}
console.log(JSON.stringify(result, null, 2));
