// Benchmark of the cluster agent against the test API server (same process, loopback HTTP):
// time to the first scrape (initial lists), scrape latency from the caches, watch event throughput
// and memory. Bounded: a fixed number of objects, scrapes and events; stops by itself.
//   node --import tsx scripts/bench-kube.ts [--vms=2000] [--scrapes=50] [--events=4000]
import type { AddressInfo } from 'node:net';
import { KubeApiServer } from '../test/support/kube-api-server.js';
import * as k from '../test/support/kubevirt-objects.js';
import { parseArgs } from '../src/flags.js';
import { SOURCES } from '../src/families/index.js';
import { Exporter } from '../src/exporter.js';
import { createServer } from '../src/server.js';
import { silentLogger } from '../src/util/log.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const VMS = Math.min(arg('vms', 2000), 20000);
const SCRAPES = Math.min(arg('scrapes', 50), 500);
const EVENTS = Math.min(arg('events', 4000), 50000);
const NODES = 50;
const ms = (t: bigint) => Number(t) / 1e6;
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

const api = new KubeApiServer();
await api.start();
const now = Math.floor(Date.now() / 1000);
for (let i = 0; i < VMS; i++) {
  const ns = `team-${i % 20}`;
  const deleting =
    i % 100 === 0
      ? { deletionTimestamp: now - 1000, finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'] }
      : undefined;
  api.create('vms', k.vm(ns, `vm-${i}`, deleting ? 'Terminating' : 'Running', deleting) as Obj);
  const vmi = api.create('vmis', k.vmi(ns, `vm-${i}`, { node: `node-${i % NODES}` }) as Obj);
  api.create(
    'pods',
    k.launcherPod(ns, `virt-launcher-vm-${i}-abcde`, vmi.metadata.uid as string, `vm-${i}`, {
      node: `node-${i % NODES}`,
    }) as Obj,
  );
  api.create('pvcs', k.pvc(ns, `vm-${i}-disk-0`) as Obj);
  if (i % 10 === 0) api.create('vmbackups', k.vmBackup(ns, `vm-${i}-backup`, `vm-${i}`) as Obj);
}
for (let n = 0; n < NODES; n++)
  api.create('pods', k.handlerPod('harvester-system', `virt-handler-${n}`, `node-${n}`) as Obj);

const { config } = parseArgs(
  [
    'serve',
    '--mode=cluster',
    `--kube.config=${k.writeKubeconfig(api.url)}`,
    '--cluster=bench',
    '--collector.min-interval=0s',
    '--collector.timeout=60s',
  ],
  SOURCES.map((s) => s.name),
);
const rssBefore = process.memoryUsage().rss;
let t0 = process.hrtime.bigint();
const exporter = new Exporter(config, silentLogger, { processMetrics: false });
const server = createServer(exporter, silentLogger);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
let body = await (await fetch(url)).text();
const firstScrapeMs = ms(process.hrtime.bigint() - t0);
const listsAfterSync = api.listRequests();

const latencies: number[] = [];
const collectorMs: number[] = [];
for (let i = 0; i < SCRAPES; i++) {
  t0 = process.hrtime.bigint();
  body = await (await fetch(url)).text();
  latencies.push(ms(process.hrtime.bigint() - t0));
  const d = /^vmzombie_collector_duration_seconds\{collector="kubevirt"[^}]*\} (\S+)$/m.exec(body);
  if (d) collectorMs.push(Number(d[1]) * 1000);
}
const pctOf = (list: number[], p: number) =>
  [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(p * list.length))]?.toFixed(1);
const pct = (p: number) => pctOf(latencies, p);

// Watch throughput: freeze/unfreeze toggles spread over the VMIs, then wait until the counters show them all.
t0 = process.hrtime.bigint();
for (let e = 0; e < EVENTS; e++) {
  const i = e % VMS;
  api.modify('vmis', `team-${i % 20}`, `vm-${i}`, (o) => {
    const st = o.status as Record<string, unknown>;
    if (st.fsFreezeStatus) delete st.fsFreezeStatus;
    else st.fsFreezeStatus = 'frozen';
  });
}
const deadline = Date.now() + 60000;
let seen = 0;
while (Date.now() < deadline) {
  body = await (await fetch(url)).text();
  seen = [...body.matchAll(/^vmzombie_kubevirt_vmi_freeze_transitions_total\{[^}]*\} (\d+)$/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
  if (seen >= EVENTS) break;
  await new Promise((r) => setTimeout(r, 50));
}
const eventsMs = ms(process.hrtime.bigint() - t0);
global.gc?.();
const mem = process.memoryUsage();

console.log(
  JSON.stringify(
    {
      objects: { vms: VMS, vmis: VMS, pods: VMS + NODES, pvcs: VMS, vmbackups: Math.ceil(VMS / 10) },
      firstScrapeMs: Math.round(firstScrapeMs),
      scrapeMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1) },
      kubeCollectorMs: { p50: pctOf(collectorMs, 0.5), p90: pctOf(collectorMs, 0.9) },
      metricsBytes: body.length,
      listRequestsDuringScrapes: api.listRequests() - listsAfterSync,
      watchEvents: {
        sent: EVENTS,
        counted: seen,
        ms: Math.round(eventsMs),
        perSecond: Math.round(EVENTS / (eventsMs / 1000)),
      },
      memoryMiB: { rss: mib(mem.rss), rssGrowth: mib(mem.rss - rssBefore), heapUsed: mib(mem.heapUsed) },
      note: 'test API server runs in the same process and shares its CPU',
    },
    null,
    2,
  ),
);
server.closeAllConnections();
server.close();
await exporter.close();
await api.stop();
