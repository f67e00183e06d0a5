// CPU profile of the whole /metrics scrape on the 1000-domain test-driver host of bench:libvirt
// (benchmark 2), in process, after three warm-up scrapes. Prints the scrape time, the CPU per scrape
// and where it goes (self time per file); writes the profile for Chrome DevTools. Asserts nothing.
//   node --import tsx scripts/profile-scrape.ts [domains=1000] [scrapes=40] [out=scrape.cpuprofile]
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { PrivateLibvirtd } from '../test/support/private-libvirtd.js';
import { acquireLock, prepareLibvirtHost, releaseLock } from '../test/support/libvirtd.js';
import { startExporter } from '../test/support/exporter.js';
import { testNodeXml } from './test-node-xml.js';

const domains = Math.max(10, Number(process.argv[2] ?? 1000));
const scrapes = Math.max(5, Number(process.argv[3] ?? 40));
const out = process.argv[4] ?? 'scrape.cpuprofile';

/** Self time per script (or native function), largest first. */
function selfTimeByFile(profile: Profiler.Profile): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, samples.length);
  const totals = new Map<string, number>();
  for (const id of samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url ? path.relative(process.cwd(), frame.url.replace(/^file:\/\//, '')) : frame.functionName;
    totals.set(where, (totals.get(where) ?? 0) + msPerSample);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

await acquireLock();
await prepareLibvirtHost();
const d = await PrivateLibvirtd.start();
try {
  const node = path.join(d.dir, 'node.xml');
  await writeFile(node, testNodeXml(domains));
  const exporter = await startExporter([
    `--libvirt.uri=test+unix://${node}?socket=${d.roSocket}`,
    '--collector.min-interval=0s',
    '--collector.timeout=60s',
  ]);
  try {
    const scrape = () => fetch(`${exporter.url}/metrics`).then((r) => r.text());
    for (let i = 0; i < 3; i++) await scrape();
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < scrapes; i++) {
      const t = performance.now();
      await scrape();
      times.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    const { profile } = await session.post('Profiler.stop');
    await writeFile(out, JSON.stringify(profile));
    times.sort((a, b) => a - b);
    const perScrape = (cpu.user + cpu.system) / 1000 / scrapes;
    console.log(`${domains} test-driver domains, ${scrapes} scrapes (profiler on, client in the same process):`);
    console.log(
      `  scrape p50 ${(times[Math.floor(scrapes / 2)] as number).toFixed(1)} ms, ` +
        `CPU ${perScrape.toFixed(1)} ms per scrape; profile written to ${out}`,
    );
    console.log('  self time per scrape, by file:');
    for (const [where, ms] of selfTimeByFile(profile).slice(0, 20)) {
      console.log(`  ${(ms / scrapes).toFixed(2).padStart(7)} ms  ${where}`);
    }
  } finally {
    await exporter.stop();
  }
} finally {
  await d.stop();
  await releaseLock();
}
