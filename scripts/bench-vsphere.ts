// Benchmark of the vsphere source on govmomi's simulator: for 1000 and 5000 VMs, the fast path
// (one container view + RetrievePropertiesEx) and the file scan (layoutEx of every VM, then one
// SearchDatastoreSubFolders_Task) timed separately. Bounded: a few rounds per size, every step
// under a timeout. Usage: node --import tsx scripts/bench-vsphere.ts [rounds] [sizes, e.g. 5000,10000]
import { startSimulator, cleanupSimulatorBuild } from '../test/vsphere/simulator.js';
import { SoapClient } from '../src/sources/vsphere/soap-client.js';
import { retrieveFromContainer } from '../src/sources/vsphere/retrieve.js';
import { INVENTORY_SPECS, parseInventory } from '../src/sources/vsphere/parse-inventory.js';
import { readLayouts, searchDatastore } from '../src/sources/vsphere/file-scan.js';
import { parseArgs } from '../src/flags.js';
import { SOURCES } from '../src/families/index.js';
import { Exporter } from '../src/exporter.js';
import { silentLogger } from '../src/util/log.js';

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 5), 1), 20);
const SIZES = (process.argv[3] ?? '1000,5000')
  .split(',')
  .map((n) => Math.min(Math.max(Math.round(Number(n) / 2) * 2, 2), 20000));

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
  // The VPX model puts `vms` on the standalone host and as many in the cluster.
  const [sim, startup] = await timed(() => startSimulator({ vms: vms / 2, startTimeoutMs: 900_000 }));
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
      [{ type: 'Datastore', paths: ['name', 'browser', 'summary.accessible'] }],
      signal(),
    );
    const browser = parseInventory(objects).datastores.find((d) => d.name === 'LocalDS_0')?.browser;
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
  } finally {
    await client.close();
    await sim.stop();
  }
}

console.log(`vsphere source benchmark, ${rounds} rounds per size, node ${process.version}`);
try {
  for (const n of SIZES) await bench(n);
} finally {
  await cleanupSimulatorBuild();
}
