// Where a cluster agent's scrape spends its time, phase by phase, in one process: the kube collection
// (the reader building its section from the watch caches), detection, the metrics update and the
// rendering of /metrics, each timed around the production code, with a given number of VMIs changed
// on the watch before each round. The API server is scripts/bench-kube-api.ts in a child process.
// Prints medians and p95 as JSON and stops by itself.
//   node --import tsx scripts/profile-kube.ts [--vms=10000] [--rounds=20] [--changes=3000]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../test/support/kubevirt-objects.js';
import { parseArgs } from '../src/flags.js';
import { SOURCES } from '../src/families/index.js';
import { Exporter } from '../src/exporter.js';
import { silentLogger } from '../src/util/log.js';
import { KubeReader } from '../src/sources/kubevirt/kube-reader.js';
import { FindingsState } from '../src/engine/findings-state.js';
import { ExporterMetrics } from '../src/outputs/metrics/exporter-metrics.js';
import { ExporterRegistry } from '../src/outputs/metrics/cached-text-gauge.js';

const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const VMS = Math.min(arg('vms', 10000), 20000);
const ROUNDS = Math.min(arg('rounds', 20), 200);
const CHANGES = Math.min(arg('changes', 3000), 20000);

const phases: Record<string, number[]> = { collect: [], detect: [], update: [], render: [], scrape: [] };
let current: Record<string, number> = {};
/** Wraps a prototype method so each call adds its wall time to the phase (async ones until they settle). */
function time(proto: object, method: string, phase: string): void {
  const target = proto as Record<string, (...a: unknown[]) => unknown>;
  const original = target[method] as (...a: unknown[]) => unknown;
  target[method] = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    const done = () => (current[phase] = (current[phase] ?? 0) + performance.now() - t);
    const out = original.apply(this, args);
    if (out instanceof Promise) return out.finally(done);
    done();
    return out;
  };
}
time(KubeReader.prototype, 'read', 'collect');
time(FindingsState.prototype, 'evaluate', 'detect');
time(ExporterMetrics.prototype, 'update', 'update');
time(ExporterRegistry.prototype, 'metrics', 'render');

const child = fork(fileURLToPath(new URL('./bench-kube-api.ts', import.meta.url)), [`--vms=${VMS}`], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const next = (ok: string) =>
  new Promise<Record<string, unknown>>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (m.ok !== ok) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
const ready = await next('ready');
const { config } = parseArgs(
  [
    'serve',
    '--mode=cluster',
    `--kube.config=${writeKubeconfig(String(ready.url))}`,
    '--cluster=bench',
    '--collector.min-interval=0s',
    '--collector.timeout=60s',
  ],
  SOURCES.map((s) => s.name),
);
const exporter = new Exporter(config, silentLogger, { processMetrics: false });
await exporter.refresh();
await exporter.metrics.metrics();

let bytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  const burst = next('burst');
  child.send({ cmd: 'burst', events: CHANGES });
  await burst;
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the events arrive and are cached
  current = {};
  const t = performance.now();
  await exporter.refresh();
  bytes = (await exporter.metrics.metrics()).length;
  current.scrape = performance.now() - t;
  for (const [phase, ms] of Object.entries(current)) phases[phase]?.push(ms);
}
const pct = (xs: number[], p: number) =>
  Number(([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN).toFixed(1));
console.log(
  JSON.stringify(
    {
      vms: VMS,
      rounds: ROUNDS,
      vmisChangedPerRound: CHANGES,
      metricsBytes: bytes,
      ms: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { p50: pct(v, 0.5), p95: pct(v, 0.95) }])),
      note: 'wall time per phase; the machine may be shared',
    },
    null,
    2,
  ),
);
await exporter.close();
child.disconnect();
