// Benchmark of the libvirt collector on a private real libvirtd (never the host's own), beside
// Debian's prometheus-libvirt-exporter (kumina). Prints numbers; asserts nothing.
//   npm run bench:libvirt -- [domains=1000] [rounds=20] [idle-seconds=120]
// 1. 1000 defined qemu domains (5 running, 50 autostart, 20 with a snapshot): the collector's first
//    collection, steady-state p50/p95, event-loop max stall, libvirtd CPU per collection; the
//    virsh fallback on the same daemon; kumina's scrape and the domains it exports.
// 2. The same daemon serving a 1000-domain test-driver node file (test+unix://): our whole scrape and
//    kumina's, alternating, in one run.
// 3. The built node agent (dist/cli.js) idle on a small host at a 15 s scrape interval: CPU, RSS.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { execa } from 'execa';
import { LibvirtReader } from '../src/sources/libvirt/libvirt-reader.js';
import { escapeXml } from '../src/util/xml-escape.js';
import { PrivateLibvirtd } from '../test/support/private-libvirtd.js';
import { acquireLock, prepareLibvirtHost, releaseLock } from '../test/support/libvirtd.js';
import { startExporter } from '../test/support/exporter.js';
import { testNodeXml } from './test-node-xml.js';
import { USER_HZ, pct, cpuTicks, rssMiB } from './bench-measures.js';
import { freePort } from '../test/support/prometheus.js';
import { shippedLaunch } from './shipped-launch.js';

const domains = Math.max(10, Math.min(Number(process.argv[2] ?? 1000), 5000));
const rounds = Math.max(3, Math.min(Number(process.argv[3] ?? 20), 200));
const idleSeconds = Math.max(15, Math.min(Number(process.argv[4] ?? 120), 900));

const ms = (x: number) => `${x.toFixed(1)} ms`;
const summary = (xs: number[]) =>
  `p50 ${ms(pct(xs, 0.5))}, p95 ${ms(pct(xs, 0.95))}, max ${ms(Math.max(...xs))} (${xs.length} rounds)`;

async function httpGet(url: string): Promise<{ ms: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms: performance.now() - t, body };
}

const distinct = (body: string, metricPrefix: string) =>
  new Set(
    body
      .split('\n')
      .filter((l) => l.startsWith(metricPrefix))
      .map((l) => /domain="((?:[^"\\]|\\.)*)"/.exec(l)?.[1])
      .filter(Boolean),
  ).size;

class Kumina {
  private constructor(
    readonly url: string,
    private readonly proc: { kill(signal: NodeJS.Signals): boolean } & PromiseLike<unknown>,
  ) {}
  static async start(uri: string): Promise<Kumina> {
    const port = await freePort();
    const proc = execa(
      'prometheus-libvirt-exporter',
      [`--libvirt.uri=${uri}`, `--web.listen-address=127.0.0.1:${port}`],
      { reject: false },
    );
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        return new Kumina(url, proc);
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.kill('SIGKILL');
    throw new Error('kumina did not answer');
  }
  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await this.proc;
  }
}

function qemuXml(name: string, image: string): string {
  return `<domain type='qemu'><name>${escapeXml(name)}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><disk type='file' device='disk'>
<driver name='qemu' type='qcow2'/>
<source file='${escapeXml(image)}'/><target dev='vda' bus='virtio'/></disk><interface type='user'>
<mac address='52:54:00:00:${(name.length % 256).toString(16).padStart(2, '0')}:01'/></interface></devices></domain>`;
}

/** Times `rounds` collections of one reader, with the event loop's worst delay and the daemon's CPU. */
async function collect(reader: LibvirtReader, n: number, daemonPid: number) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  const cpu0 = await cpuTicks(daemonPid);
  const own0 = process.cpuUsage();
  loop.enable();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await reader.read(AbortSignal.timeout(60_000));
    times.push(performance.now() - t);
  }
  loop.disable();
  const own = process.cpuUsage(own0);
  const cpuMs = (((await cpuTicks(daemonPid)) - cpu0) * (1000 / USER_HZ)) / n;
  return { times, stallMs: loop.max / 1e6, cpuMs, ownCpuMs: (own.user + own.system) / 1000 / n };
}

async function defineMany(d: PrivateLibvirtd, count: number, prefix: string): Promise<string[]> {
  const template = path.join(d.dir, 'template.qcow2');
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', template, '16M']);
  const names: string[] = [];
  const commands: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    const image = path.join(d.dir, `${name}.qcow2`);
    await copyFile(template, image);
    const file = path.join(d.dir, `${name}.xml`);
    await writeFile(file, qemuXml(name, image));
    commands.push(`define ${file}`);
    names.push(name);
  }
  await d.virshBatch(commands);
  return names;
}

async function idleAgent(d: PrivateLibvirtd): Promise<void> {
  const port = await freePort();
  const launch = shippedLaunch(); // as the bin's shebang, npm start and the image run it
  const agent = execa(
    'node',
    [
      ...launch.nodeFlags,
      'dist/cli.js',
      'serve',
      `--web.listen-address=127.0.0.1:${port}`,
      `--libvirt.uri=${d.roUri}`,
      `--libvirt.run-dir=${path.join(d.runDir, 'qemu')}`,
    ],
    { reject: false, env: launch.env },
  );
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(url).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    await httpGet(url);
    const pid = agent.pid as number;
    const cpu0 = await cpuTicks(pid);
    const t0 = performance.now();
    let maxRss = 0;
    for (let s = 0; s < idleSeconds; s += 15) {
      await new Promise((r) => setTimeout(r, 15_000));
      await httpGet(url);
      maxRss = Math.max(maxRss, await rssMiB(pid));
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = ((await cpuTicks(pid)) - cpu0) / USER_HZ;
    console.log(
      `3. idle node agent (dist/cli.js serve, every node collector), 15 s scrapes for ${wall.toFixed(0)} s, ` +
        'small host:',
    );
    console.log(
      `   CPU ${((100 * cpu) / wall).toFixed(2)} % of one core, RSS max ${maxRss.toFixed(1)} MiB ` +
        `(now ${(await rssMiB(pid)).toFixed(1)} MiB)`,
    );
  } finally {
    agent.kill('SIGTERM');
    await agent;
  }
}

const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
console.log(
  `bench:libvirt ${domains} domains, ${rounds} rounds; ` +
    `load average at start ${load} on ${(await import('node:os')).cpus().length} cores`,
);
await acquireLock();
await prepareLibvirtHost();
const d = await PrivateLibvirtd.start();
try {
  const runDir = path.join(d.runDir, 'qemu');
  // 3 first, while the host is small: 4 domains, 1 running.
  const small = await defineMany(d, 4, 'small');
  await d.virsh('start', small[0] as string);
  await idleAgent(d);
  for (const n of small) await d.virsh('destroy', n).catch(() => '');
  await d.virshBatch(small.map((n) => `undefine ${n} --snapshots-metadata`));

  // 1. The big qemu host.
  let t = performance.now();
  const names = await defineMany(d, domains, 'bench');
  console.log(`(defined ${domains} qemu domains in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  await d.virshBatch([
    ...names.slice(0, 5).map((n) => `start ${n}`),
    ...names.slice(100, 150).map((n) => `autostart ${n}`),
    ...names.slice(200, 220).map((n) => `snapshot-create-as ${n} before-upgrade`),
  ]);
  const rpc = new LibvirtReader({ virsh: 'virsh', uri: d.roUri, runDir, transport: 'rpc' });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  t = performance.now();
  const first = await rpc.read(AbortSignal.timeout(60_000));
  const firstMs = performance.now() - t;
  loop.disable();
  const steady = await collect(rpc, rounds, d.pid);
  const count = (pred: (x: (typeof first.domains)[number]) => boolean) => first.domains.filter(pred).length;
  console.log(
    `1. real libvirtd, ${domains} qemu domains (${count((x) => x.state === 'running')} running, ` +
      `${count((x) => x.autostart)} autostart, ${count((x) => (x.snapshots ?? 0) > 0)} with snapshots), RPC:`,
  );
  console.log(
    `   first collection ${ms(firstMs)} (event-loop max stall ${ms(loop.max / 1e6)}), ` +
      `${first.domains.length} domains, ${first.problems.length} problems`,
  );
  console.log(`   steady state ${summary(steady.times)}; event-loop max stall ${ms(steady.stallMs)}`);
  console.log(
    `   CPU per collection: exporter ${ms(steady.ownCpuMs)}, libvirtd ${ms(steady.cpuMs)}; ` +
      `per collection ${rpc.xmlCache.lastFetched} XML fetched, ${rpc.xmlCache.lastParsed} parsed`,
  );
  await rpc.close();
  console.log(`   load average now ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`);
  const virsh = new LibvirtReader({ virsh: 'virsh', uri: d.roUri, runDir, transport: 'virsh' });
  t = performance.now();
  await virsh.read(AbortSignal.timeout(120_000));
  const virshFirst = performance.now() - t;
  const vs = await collect(virsh, Math.min(rounds, 10), d.pid);
  console.log(
    `   virsh fallback (incremental commands): first ${ms(virshFirst)}, steady ${summary(vs.times)}, ` +
      `CPU per collection: exporter ${ms(vs.ownCpuMs)} (virsh's own not counted), libvirtd ${ms(vs.cpuMs)}`,
  );
  await virsh.close();
  const k = await Kumina.start(d.roUri);
  const kt: number[] = [];
  let kbody = '';
  for (let i = 0; i < Math.min(rounds, 10); i++) {
    const r = await httpGet(k.url);
    kt.push(r.ms);
    kbody = r.body;
  }
  console.log(
    `   kumina on the same daemon: scrape ${summary(kt)}, ${distinct(kbody, 'libvirt_domain_')} domains exported`,
  );
  await k.stop();
  await d.virshBatch(names.slice(0, 5).map((n) => `destroy ${n}`));

  // 2. Test driver over the daemon's socket: both exporters read one daemon, alternating.
  const node = path.join(d.dir, 'node.xml');
  await writeFile(node, testNodeXml(domains));
  const testUri = `test+unix://${node}?socket=${d.roSocket}`;
  const ours = await startExporter([
    `--libvirt.uri=${testUri}`,
    '--collector.min-interval=0s',
    '--collector.timeout=60s',
  ]);
  const kumina = await Kumina.start(testUri);
  try {
    const firstScrape = await httpGet(`${ours.url}/metrics`);
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    let oursBody = firstScrape.body;
    let theirsBody = '';
    for (let i = 0; i < Math.min(rounds, 10); i++) {
      const a = await httpGet(`${ours.url}/metrics`);
      const b = await httpGet(kumina.url);
      oursMs.push(a.ms);
      theirsMs.push(b.ms);
      oursBody = a.body;
      theirsBody = b.body;
    }
    const oursDomains = oursBody.split('\n').filter((l) => l.startsWith('vmzombie_libvirt_domain_info{')).length;
    console.log(
      `2. test driver, ${domains} domains over test+unix:// on the same libvirtd, whole /metrics scrape, alternating:`,
    );
    console.log(
      `   vmzombie-exporter: first ${ms(firstScrape.ms)}, then ${summary(oursMs)}, ${oursDomains} domains exported`,
    );
    console.log(
      `   kumina:            ${summary(theirsMs)}, ${distinct(theirsBody, 'libvirt_domain_')} domains exported`,
    );
    const durations = oursBody
      .split('\n')
      .filter((l) => l.startsWith('vmzombie_collector_duration_seconds{'))
      .map((l) => `${/collector="([^"]+)"/.exec(l)?.[1]} ${ms(Number(l.split(' ').pop()) * 1000)}`);
    console.log(`   our collectors in the last scrape: ${durations.join(', ')}`);
    console.log(`   ratio of medians: ${(pct(oursMs, 0.5) / pct(theirsMs, 0.5)).toFixed(3)} (ours / kumina)`);
  } finally {
    await kumina.stop();
    await ours.stop();
  }
} finally {
  await d.stop();
  await releaseLock();
}
