// Load and soak of the real exporter (the `serve` CLI) on loopback.
//   node --import tsx scripts/bench-load.ts load [clients=200] [seconds=30] [-- exporter flags]
//   node --import tsx scripts/bench-load.ts soak [seconds=3600] [interval=1] [-- exporter flags]
// The exporter runs as the CLI in a child process. load: that many clients scrape /metrics back to
// back; prints requests, errors, p50/p99/max and the exporter's RSS, heap, handles and CPU before
// and after. soak: one scrape per interval; prints the same at the
// start, every 10 minutes and at the end. Both stop by themselves. Not run in CI.
import { spawn } from 'node:child_process';
import { createServer as netServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePromText } from '../test/support/prom-text.js';

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const own = split < 0 ? argv : argv.slice(0, split);
const flags = split < 0 ? [] : argv.slice(split + 1);
const mode = own[0] === 'soak' ? 'soak' : 'load';
const num = (i: number, def: number, max: number) => Math.max(1, Math.min(Number(own[i] ?? def) || def, max));

// The exporter runs as its own process (the CLI `serve`), so the clients' CPU is not counted in it.
const port = await new Promise<number>((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(
  process.execPath,
  [
    '--max-semi-space-size=2',
    '--import',
    'tsx',
    path.join(root, 'src/cli.ts'),
    'serve',
    `--web.listen-address=127.0.0.1:${port}`,
    ...flags,
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
const url = `http://127.0.0.1:${port}/metrics`;
const headers = { 'X-Prometheus-Scrape-Timeout-Seconds': '10' };
for (let i = 0; ; i++) {
  try {
    await fetch(url.replace('/metrics', '/-/healthy'));
    break;
  } catch {
    if (i > 300) throw new Error('exporter did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
/** The exporter's own process metrics, read from its /metrics. */
async function usage(label: string): Promise<void> {
  const samples = parsePromText(await (await fetch(url)).text());
  const v = (name: string) => samples.find((s) => s.name === name && !s.labels.space)?.value ?? NaN;
  const open = samples.filter((s) => s.name === 'nodejs_active_handles').reduce((n, s) => n + s.value, 0);
  console.log(
    `${label}: rss ${mib(v('process_resident_memory_bytes'))}, heap used ${mib(v('nodejs_heap_size_used_bytes'))} ` +
      `of ${mib(v('nodejs_heap_size_total_bytes'))}, handles ${open}, open fds ${v('process_open_fds')}, ` +
      `cpu ${v('process_cpu_seconds_total').toFixed(1)} s`,
  );
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

try {
  await scrape(); // the first collection, outside the numbers
  if (mode === 'load') {
    const clients = num(1, 200, 2000);
    const seconds = num(2, 30, 600);
    await usage('start');
    const times: number[] = [];
    let errors = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < end) {
          const r = await scrape();
          times.push(r.ms);
          if (!r.ok) errors++;
        }
      }),
    );
    times.sort((a, b) => a - b);
    const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
    console.log(
      `load: ${clients} clients for ${seconds} s: ${times.length} scrapes ` +
        `(${(times.length / seconds).toFixed(0)}/s), ` +
        `${errors} errors, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
    );
    await usage('end');
  } else {
    const seconds = num(1, 3600, 7 * 86400);
    const interval = num(2, 1, 3600);
    await usage('start');
    let errors = 0;
    let worst = 0;
    const start = Date.now();
    for (let n = 1; Date.now() - start < seconds * 1000; n++) {
      const r = await scrape();
      if (!r.ok) errors++;
      worst = Math.max(worst, r.ms);
      if (n % 600 === 0) await usage(`after ${n} scrapes (${errors} errors, slowest ${worst.toFixed(0)} ms)`);
      await new Promise((res) => setTimeout(res, Math.max(0, interval * 1000 - r.ms)));
    }
    console.log(`soak: ${seconds} s at ${interval} s, ${errors} errors, slowest scrape ${worst.toFixed(0)} ms`);
    await usage('end');
  }
} finally {
  child.kill('SIGTERM');
}
