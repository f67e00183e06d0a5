// Load and soak of the real exporter (Exporter + HTTP server, as `serve` runs them) on loopback.
//   node --import tsx scripts/bench-load.ts load [clients=200] [seconds=30] [-- exporter flags]
//   node --import tsx scripts/bench-load.ts soak [seconds=3600] [interval=1] [-- exporter flags]
// load: that many clients scrape /metrics back to back; prints requests, errors, p50/p99/max and
// RSS before and after. soak: one scrape per interval; prints RSS, heap, handles and CPU at the
// start, every 10 minutes and at the end. Both stop by themselves. Not run in CI.
import type { AddressInfo } from 'node:net';
import { parseArgs } from '../src/config/flags.js';
import { SOURCES } from '../src/sources/index.js';
import { Exporter } from '../src/engine/exporter.js';
import { createServer } from '../src/server.js';
import { silentLogger } from '../src/util/log.js';

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const own = split < 0 ? argv : argv.slice(0, split);
const flags = split < 0 ? [] : argv.slice(split + 1);
const mode = own[0] === 'soak' ? 'soak' : 'load';
const num = (i: number, def: number, max: number) => Math.max(1, Math.min(Number(own[i] ?? def) || def, max));

const { config } = parseArgs(['serve', ...flags], SOURCES.map((s) => s.name));
const exporter = new Exporter(config, silentLogger);
const server = createServer(exporter, silentLogger);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
const headers = { 'X-Prometheus-Scrape-Timeout-Seconds': '10' };

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
function usage(label: string, cpuStart: NodeJS.CpuUsage): void {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage(cpuStart);
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  console.log(`${label}: rss ${mib(m.rss)}, heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, ` +
    `external ${mib(m.external)}, handles ${handles}, cpu user ${(cpu.user / 1e6).toFixed(1)} s system ${(cpu.system / 1e6).toFixed(1)} s`);
}

async function scrape(): Promise<{ ok: boolean; ms: number }> {
  const t = performance.now();
  try {
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    return { ok: res.status === 200, ms: performance.now() - t };
  } catch {
    return { ok: false, ms: performance.now() - t };
  }
}

const cpuStart = process.cpuUsage();
try {
  await scrape(); // the first collection, outside the numbers
  if (mode === 'load') {
    const clients = num(1, 200, 2000);
    const seconds = num(2, 30, 600);
    usage('start', cpuStart);
    const times: number[] = [];
    let errors = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const r = await scrape();
        times.push(r.ms);
        if (!r.ok) errors++;
      }
    }));
    times.sort((a, b) => a - b);
    const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
    console.log(`load: ${clients} clients for ${seconds} s: ${times.length} scrapes (${(times.length / seconds).toFixed(0)}/s), ` +
      `${errors} errors, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
    usage('end', cpuStart);
  } else {
    const seconds = num(1, 3600, 7 * 86400);
    const interval = num(2, 1, 3600);
    usage('start', cpuStart);
    let errors = 0;
    let worst = 0;
    const start = Date.now();
    for (let n = 1; Date.now() - start < seconds * 1000; n++) {
      const r = await scrape();
      if (!r.ok) errors++;
      worst = Math.max(worst, r.ms);
      if (n % 600 === 0) usage(`after ${n} scrapes (${errors} errors, slowest ${worst.toFixed(0)} ms)`, cpuStart);
      await new Promise((res) => setTimeout(res, Math.max(0, interval * 1000 - r.ms)));
    }
    console.log(`soak: ${seconds} s at ${interval} s, ${errors} errors, slowest scrape ${worst.toFixed(0)} ms`);
    usage('end', cpuStart);
  }
} finally {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await exporter.close();
}
