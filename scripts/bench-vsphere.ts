// Benchmark of the vsphere source on govmomi's simulator: for 1000 and 5000 VMs, the fast path
// (one container view + RetrievePropertiesEx) and the file scan (layoutEx of every VM, then one
// SearchDatastoreSubFolders_Task) timed separately. Bounded: a few rounds per size, every step
// under a timeout. With more than one datastore, also the search of every datastore one after the
// other, as the source's file scan runs it (the simulator keeps every VM on LocalDS_0; the others are
// empty), and the peak RSS and heap of this process. Prints one JSON line per size at the end.
// Usage: node --import tsx scripts/bench-vsphere.ts [rounds] [sizes, e.g. 5000,10000] [datastores=1]
import { readFile } from 'node:fs/promises';
import { startSimulator, cleanupSimulatorBuild } from '../test/vsphere/simulator.js';
import { SoapClient } from '../src/sources/vsphere/soap-client.js';
import { retrieveFromContainer } from '../src/sources/vsphere/retrieve.js';
import { INVENTORY_SPECS, parseInventory } from '../src/sources/vsphere/parse-inventory.js';
import { readLayouts, scanDatastores, searchDatastore } from '../src/sources/vsphere/file-scan.js';
import { parseArgs } from '../src/flags.js';
import { SOURCES } from '../src/families/index.js';
import { Exporter } from '../src/exporter.js';
import { silentLogger } from '../src/util/log.js';

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 5), 1), 20);
const SIZES = (process.argv[3] ?? '1000,5000')
  .split(',')
  .map((n) => Math.min(Math.max(Math.round(Number(n) / 2) * 2, 2), 20000));
const DATASTORES = Math.min(Math.max(Number(process.argv[4] ?? 1), 1), 2000);
const results: unknown[] = [];

/** Peak RSS and heap of this process, sampled every 100 ms (the simulator's own memory is not counted). */
const peak = { rss: 0, heap: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heap = Math.max(peak.heap, m.heapUsed);
}, 100);
const MiB = (b: number) => Math.round(b / 2 ** 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t) / 1e9];
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number) => (s.at(i) as number).toFixed(3);
  return `median ${at(Math.floor(s.length / 2))} s (min ${at(0)}, max ${at(-1)})`;
};

async function bench(vms: number): Promise<void> {
  peak.rss = 0; // each size's own peak (the heap of an earlier size may not be collected yet)
  peak.heap = 0;
  // The VPX model puts `vms` on the standalone host and as many in the cluster.
  const [sim, startup] = await timed(() =>
    startSimulator({ vms: vms / 2, datastores: DATASTORES, startTimeoutMs: 900_000 }),
  );
  const u = new URL(sim.url);
  const client = new SoapClient({ url: u, username: u.username, password: u.password });
  try {
    const signal = () => AbortSignal.timeout(120_000);
    const fast: number[] = [];
    let count = 0;
    await retrieveFromContainer(client, INVENTORY_SPECS, signal()); // log in, warm up
    for (let i = 0; i < rounds; i++) {
      const [inv, s] = await timed(async () =>
        parseInventory((await retrieveFromContainer(client, INVENTORY_SPECS, signal())).objects),
      );
      count = inv.vms.length;
      fast.push(s);
    }
    const { objects } = await retrieveFromContainer(
      client,
      [{ type: 'Datastore', paths: ['name', 'browser', 'summary.accessible', 'summary.type'] }],
      signal(),
    );
    const datastores = parseInventory(objects).datastores;
    const browser = datastores.find((d) => d.name === 'LocalDS_0')?.browser;
    if (!browser) throw new Error('no browser for LocalDS_0');
    const layouts: number[] = [];
    const search: number[] = [];
    let files = 0;
    for (let i = 0; i < rounds; i++) {
      const [found, s1] = await timed(() => searchDatastore(client, browser, 'LocalDS_0', signal()));
      files = found.length;
      search.push(s1);
      const [, s2] = await timed(() => readLayouts(client, signal()));
      layouts.push(s2);
    }
    const allSearch: number[] = [];
    for (let i = 0; DATASTORES > 1 && i < rounds; i++) {
      const [scans, s] = await timed(() =>
        scanDatastores(client, datastores, [], new Set(), Date.now, AbortSignal.timeout(900_000)),
      );
      const failed = scans.filter((x) => x.error).length;
      if (failed) throw new Error(`${failed} of ${scans.length} datastore searches failed`);
      allSearch.push(s);
    }
    // The whole exporter: collection, the nine detectors, metrics rendered as /metrics serves them.
    const { config } = parseArgs(
      [
        `--vsphere.url=${sim.url}`,
        '--no-collector.libvirt',
        '--no-collector.procfs',
        '--collector.min-interval=0s',
        '--collector.timeout=60s',
      ],
      SOURCES.map((x) => x.name),
    );
    const exporter = new Exporter(config, silentLogger, { processMetrics: false });
    const scrape: number[] = [];
    let bytes = 0;
    try {
      await exporter.refresh(); // logs in, runs the first file scan
      for (let i = 0; i < rounds; i++) {
        const [text, s] = await timed(async () => {
          await exporter.refresh();
          return exporter.metrics.metrics();
        });
        bytes = text.length;
        scrape.push(s);
      }
    } finally {
      await exporter.close();
    }
    console.log(`${count} VMs (simulator started in ${startup.toFixed(1)} s)`);
    console.log(`  fast path (inventory, parsed):    ${stats(fast)}`);
    console.log(`  file scan, datastore search:      ${stats(search)}  (${files} files)`);
    console.log(`  file scan, layoutEx of every VM:  ${stats(layouts)}`);
    console.log(`  file scan total:                  ${stats(search.map((s, i) => s + (layouts[i] as number)))}`);
    console.log(`  scrape (collect, detect, render): ${stats(scrape)}  (${(bytes / 1e6).toFixed(1)} MB of metrics)`);
    if (DATASTORES > 1) console.log(`  search of all ${datastores.length} datastores:  ${stats(allSearch)}`);
    console.log(`  peak of this process: RSS ${MiB(peak.rss)} MiB, heap ${MiB(peak.heap)} MiB`);
    const med = (xs: number[]) => (xs.length ? Number(median(xs).toFixed(3)) : null);
    results.push({
      vms: count,
      datastores: datastores.length,
      files,
      rounds,
      simulatorStartS: Number(startup.toFixed(1)),
      fastPathS: med(fast),
      searchLocalDs0S: med(search),
      layoutsS: med(layouts),
      fileScanS: med(search.map((s, i) => s + (layouts[i] as number))),
      searchAllDatastoresS: med(allSearch),
      fileScanAllDatastoresS: allSearch.length ? med(allSearch.map((s, i) => s + (layouts[i] as number))) : null,
      scrapeS: med(scrape),
      metricsMB: Number((bytes / 1e6).toFixed(2)),
      peakRssMiB: MiB(peak.rss),
      peakHeapMiB: MiB(peak.heap),
      loadavg: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' '),
    });
  } finally {
    await client.close();
    await sim.stop();
  }
}

console.log(`vsphere source benchmark, ${rounds} rounds per size, node ${process.version}`);
try {
  for (const n of SIZES) await bench(n);
} finally {
  clearInterval(sampler);
  await cleanupSimulatorBuild();
}
for (const r of results) console.log(JSON.stringify(r));
