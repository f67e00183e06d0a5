// The cluster agent's start alone, repeated: the built agent (run `npm run build` first) started as the bin starts
// it, against the test API server of scripts/bench-kube.ts in its own process, scraped as soon as it listens; per
// start, the time to the first answer (the initial lists and the first collection), the agent's CPU until then and
// its peak RSS (VmHWM) 3 s later. Starts alternate between the variants asked for, so a machine whose speed drifts
// spreads over all of them alike. Bounded; it prints JSON and stops by itself.
//   node --import tsx scripts/bench-kube-start.ts [--vms=10000] [--rounds=4] [--variant=NAME:OPTION[,OPTION]]...
// A variant's options go to node after the bin's (`--variant=g50:--heap-growing-percent=50`); without any, one
// variant, the agent as shipped. `--variant=NAME@PATH:` runs another build's cli.js (a copy of dist/ from an earlier
// commit, inside the checkout, so its imports resolve).
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../test/support/kubevirt-objects.js';
import { freePort } from '../test/support/prometheus.js';
import { USER_HZ, cpuTicks, pct } from './bench-measures.js';
import { shippedLaunch } from './shipped-launch.js';

const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const VMS = Math.min(arg('vms', 10000), 20000);
const ROUNDS = Math.min(arg('rounds', 4), 20);
const SHIPPED = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const variants = process.argv
  .filter((a) => a.startsWith('--variant='))
  .map((a) => {
    const [named, options] = a.slice('--variant='.length).split(/:(.*)/s) as [string, string | undefined];
    const [name, agent] = named.split('@') as [string, string | undefined];
    return { name, agent: agent ?? SHIPPED, options: options ? options.split(',') : [] };
  });
if (variants.length === 0) variants.push({ name: 'shipped', agent: SHIPPED, options: [] });

const api = fork(fileURLToPath(new URL('./bench-kube-api.ts', import.meta.url)), [`--vms=${VMS}`], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const ready = await new Promise<Record<string, unknown>>((resolve) =>
  api.on('message', (m: Record<string, unknown>) => {
    if (m.ok === 'ready') resolve(m);
  }),
);
const kubeconfig = writeKubeconfig(String(ready.url));
const launch = shippedLaunch();
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
interface Start {
  firstScrapeMs: number;
  agentCpuMs: number;
  peakRssMiB: number;
}

async function start(agentPath: string, options: string[]): Promise<Start> {
  const port = await freePort();
  const t0 = Date.now();
  const agent = spawn(
    process.execPath,
    [
      ...launch.nodeFlags,
      ...options,
      agentPath,
      'serve',
      '--mode=cluster',
      `--kube.config=${kubeconfig}`,
      '--cluster=bench',
      '--collector.timeout=60s',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...launch.env } },
  );
  const exited = new Promise((resolve) => agent.on('exit', resolve));
  for (;;) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      break;
    } catch {
      await sleep(20);
    }
  }
  const firstScrapeMs = Date.now() - t0;
  const agentCpuMs = ((await cpuTicks(agent.pid as number)) * 1000) / USER_HZ;
  await sleep(3000);
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))?.[1] ?? NaN);
  agent.kill('SIGTERM');
  await exited;
  return { firstScrapeMs, agentCpuMs, peakRssMiB: Number((hwm / 1024).toFixed(1)) };
}

const runs = new Map<string, Start[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const v of variants) runs.get(v.name)?.push(await start(v.agent, v.options));

console.log(
  JSON.stringify(
    {
      objects: ready.counts,
      rounds: ROUNDS,
      variants: variants.map((v) => {
        const starts = runs.get(v.name) ?? [];
        const of = (k: keyof Start) => starts.map((s) => s[k]);
        return {
          name: v.name,
          agent: v.agent,
          options: v.options,
          starts,
          p50: {
            firstScrapeMs: pct(of('firstScrapeMs'), 0.5),
            agentCpuMs: pct(of('agentCpuMs'), 0.5),
            peakRssMiB: pct(of('peakRssMiB'), 0.5),
          },
        };
      }),
      note: 'agent and test API server share the machine; starts alternate between variants',
    },
    null,
    2,
  ),
);
api.disconnect();
