// A steady scraper through the real HTTP server: after one interval each scrape is answered from a
// collection started before it arrived, and there is still one collection per scrape. Every collector is off, so
// a collection takes a millisecond and the timing under test is the prefetch's own (half a second of lead at a
// 2 s min-interval, for a scraper every 2.5 s). The CPU budget is off: it would count the test runner's CPU in this
// process (the budget has its own tests).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Exporter } from '../../src/exporter.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { createServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/log.js';

const NO_COLLECTORS = ['libvirt', 'pools', 'virthandler', 'procfs', 'sysfs'].map((c) => `--no-collector.${c}`);
const INTERVAL_MS = 2500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: http.Server | null = null;
let exporter: Exporter | null = null;
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await exporter?.close();
});

/** Starts the exporter; returns a scrape function and the start times of its collections. */
async function start(...flags: string[]) {
  const { config } = parseArgs(
    ['serve', ...NO_COLLECTORS, '--collector.cpu-budget=0', ...flags],
    SOURCES.map((s) => s.name),
  );
  exporter = new Exporter(config, silentLogger, { processMetrics: false });
  const collection = exporter.collection as unknown as { start: () => unknown };
  const started: number[] = [];
  const original = collection.start.bind(collection);
  collection.start = () => {
    started.push(performance.now());
    return original();
  };
  server = createServer(exporter, silentLogger);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const scrape = async () => {
    const at = performance.now();
    const res = await fetch(url);
    assert.equal(res.status, 200);
    await res.text();
    return { at, end: performance.now() };
  };
  return { scrape, started };
}

let run: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  run = await start('--collector.min-interval=2s');
});

test('a steady scraper is answered from a prefetched collection, one collection per scrape', async () => {
  const scrapes: Array<{ at: number; end: number }> = [];
  for (let i = 0; i < 5; i++) {
    const last = scrapes.at(-1);
    if (last) await sleep(INTERVAL_MS - (performance.now() - last.at));
    scrapes.push(await run.scrape());
  }
  // Collections started while each scrape was answered, and between the previous answer and this scrape.
  const counts = scrapes.map(({ at, end }, i) => ({
    inside: run.started.filter((t) => t >= at && t <= end).length,
    ahead: run.started.filter((t) => t < at && t > (scrapes[i - 1]?.end ?? -Infinity)).length,
  }));
  // The first two know no interval yet and collect themselves; from the third on, the collection was started
  // ahead of the scrape, and the scrape started none.
  assert.deepEqual(
    counts.map((c) => [c.ahead, c.inside]),
    [
      [0, 1],
      [0, 1],
      [1, 0],
      [1, 0],
      [1, 0],
    ],
  );
});

test('with --no-collector.prefetch every scrape collects itself', async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await exporter?.close();
  run = await start('--collector.min-interval=2s', '--no-collector.prefetch');
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const { at, end } = await run.scrape();
    counts.push(run.started.filter((s) => s >= at && s <= end).length);
    await sleep(INTERVAL_MS - (performance.now() - t));
  }
  assert.deepEqual(counts, [1, 1, 1, 1]);
});
