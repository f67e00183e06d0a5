// Benchmark of the cluster agent with the one-layer-down resources, against the test API server (same process,
// loopback HTTP): VMs with three volumes each (a DataVolume-backed root disk and two plain PVCs, each bound to a
// PV), their VMIs and launcher pods, ordinary pods mounting claims, migrations and VM snapshots. Reports the time
// to the first scrape (initial lists), scrape latency from the caches and memory. Bounded; stops by itself.
//   node --expose-gc --import tsx scripts/bench-kube-volumes.ts [--vms=10000] [--scrapes=30]
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
const VMS = Math.min(arg('vms', 10000), 20000);
const SCRAPES = Math.min(arg('scrapes', 30), 500);
const NODES = 50;
const ms = (t: bigint) => Number(t) / 1e6;
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

const api = new KubeApiServer();
await api.start();
const now = Math.floor(Date.now() / 1000);
let orphans = 0;
for (let i = 0; i < VMS; i++) {
  const ns = `team-${i % 20}`;
  const name = `vm-${i}`;
  const node = `node-${i % NODES}`;
  // One VM in 200 was deleted and left its disks behind.
  const deleted = i % 200 === 0;
  if (!deleted) {
    api.create('vms', k.vmWithDisks(ns, name, 'Running', `${name}-root`, `${name}-data`) as Obj);
    const vmi = api.create('vmis', k.vmi(ns, name, { node }) as Obj);
    api.create(
      'pods',
      k.launcherPod(ns, `virt-launcher-${name}-abcde`, vmi.metadata.uid as string, name, { node }) as Obj,
    );
  } else orphans += 3;
  api.create('datavolumes', k.dataVolume(ns, `${name}-root`, 'Succeeded') as Obj);
  for (const disk of [`${name}-root`, `${name}-data`, `${name}-scratch`]) {
    api.create('pvcs', k.vmDiskPvc(ns, disk, { ownedByVm: name, volumeName: `pvc-${i}-${disk.length}` }) as Obj);
    api.create('pvs', k.pv(`pvc-${i}-${disk.length}`, '10Gi', { namespace: ns, name: disk }) as Obj);
  }
  // The third disk is hot-plugged: an hp-volume pod mounts it (and the VM spec does not name it).
  if (!deleted) api.create('pods', k.podWithClaim(ns, `hp-volume-${name}-x1`, `${name}-scratch`) as Obj);
  if (i % 100 === 0) api.create('migrations', k.migration(ns, `mig-${name}`, name, 'Succeeded', now - 3600) as Obj);
  if (i % 50 === 0) api.create('vmsnapshots', k.vmSnapshot(ns, `snap-${name}`, name, 'Succeeded', now - 3600) as Obj);
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
    '--collector.timeout=120s',
    '--detect.kubevirt-volume-grace=0s',
  ],
  SOURCES.map((s) => s.name),
);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let t0 = process.hrtime.bigint();
const exporter = new Exporter(config, silentLogger, { processMetrics: false });
const server = createServer(exporter, silentLogger);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
let body = await (await fetch(url)).text();
const firstScrapeMs = ms(process.hrtime.bigint() - t0);
const latencies: number[] = [];
for (let i = 0; i < SCRAPES; i++) {
  t0 = process.hrtime.bigint();
  body = await (await fetch(url)).text();
  latencies.push(ms(process.hrtime.bigint() - t0));
}
const pct = (p: number) =>
  [...latencies].sort((a, b) => a - b)[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
global.gc?.();
const mem = process.memoryUsage();
const found = /^vmzombie_findings\{kind="kubevirt_orphan_volume"[^}]*\} (\d+)$/m.exec(body)?.[1];

console.log(
  JSON.stringify(
    {
      objects: {
        vms: VMS - VMS / 200,
        pvcs: VMS * 3,
        pvs: VMS * 3,
        datavolumes: VMS,
        pods: 2 * (VMS - VMS / 200) + NODES,
      },
      orphanVolumes: { expected: orphans, found: Number(found) },
      firstScrapeMs: Math.round(firstScrapeMs),
      scrapeMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) },
      metricsBytes: body.length,
      memoryMiB: {
        rssGrowth: mib(mem.rss - rssBefore),
        heapGrowth: mib(mem.heapUsed - heapBefore),
        rss: mib(mem.rss),
      },
      note: 'test API server (and its copy of every object) runs in the same process and shares its CPU',
    },
    null,
    2,
  ),
);
server.closeAllConnections();
server.close();
await exporter.close();
await api.stop();
