// The cached per-domain families render exactly what a prom-client Gauge would, odd names included,
// and format an object's line once.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry } from 'prom-client';
import { CachedTextCounter, CachedTextGauge, ExporterRegistry } from '../../src/outputs/metrics/cached-text-gauge.js';

interface Item {
  name: string;
  n: number;
}
const ITEMS: Item[] = [
  { name: 'plain', n: 1 },
  { name: 'quote " back\\slash', n: 2.5 },
  { name: 'new\nline ünïcødé &amp; <x>', n: 0 },
  { name: 'skipped', n: -1 },
];
const series = (i: Item) => (i.n < 0 ? null : { labels: { domain: i.name, kind: 'x' }, value: i.n });

async function both(defaults?: Record<string, string>): Promise<[string, string]> {
  const ours = new ExporterRegistry();
  const theirs = new Registry();
  if (defaults) {
    ours.setDefaultLabels(defaults);
    theirs.setDefaultLabels(defaults);
  }
  for (const r of [ours, theirs]) new Gauge({ name: 'before', help: 'first family', registers: [r] }).set(3);
  new CachedTextGauge('per_item', 'one series per item\nsecond line', ['domain', 'kind'], series, ours).set(ITEMS);
  const g = new Gauge({
    name: 'per_item',
    help: 'one series per item\nsecond line',
    labelNames: ['domain', 'kind'],
    registers: [theirs],
  });
  for (const i of ITEMS) {
    const s = series(i);
    if (s) g.set(s.labels, s.value);
  }
  for (const r of [ours, theirs]) new Gauge({ name: 'after', help: 'last family', registers: [r] }).set(4);
  return [await ours.metrics(), await theirs.metrics()];
}

test('the exposition text of a prom-client gauge, in registration order, with and without default labels', async () => {
  const [ours, theirs] = await both();
  assert.equal(ours, theirs);
  const [oursL, theirsL] = await both({ cluster: 'c "1"' });
  assert.equal(oursL, theirsL);
  assert.match(oursL, /per_item\{domain="plain",kind="x",cluster="c \\"1\\""\} 1/);
});

test("an object's line is formatted once; a new object (a changed domain) is formatted anew", async () => {
  const registry = new ExporterRegistry();
  let calls = 0;
  const family = new CachedTextGauge(
    'per_item',
    'h',
    ['domain'],
    (i: Item) => {
      calls++;
      return { labels: { domain: i.name }, value: i.n };
    },
    registry,
  );
  const a = { name: 'a', n: 1 };
  const b = { name: 'b', n: 2 };
  family.set([a, b]);
  await registry.metrics();
  await registry.metrics();
  assert.equal(calls, 2);
  family.set([a, { name: 'b', n: 3 }]);
  assert.match(await registry.metrics(), /per_item\{domain="b"\} 3/);
  assert.equal(calls, 3);
  family.reset();
  assert.doesNotMatch(await registry.metrics(), /domain=/);
  const json = await registry.getMetricsAsJSON();
  assert.deepEqual(
    json.map((m) => m.name),
    ['per_item'],
  );
});

test('a counter family renders what a prom-client Counter incremented by each total would', async () => {
  const ours = new ExporterRegistry();
  const theirs = new Registry();
  for (const r of [ours, theirs]) r.setDefaultLabels({ cluster: 'c' });
  new CachedTextCounter('per_item_total', 'a total per item', ['domain', 'kind'], series, ours).set(ITEMS);
  const c = new Counter({
    name: 'per_item_total',
    help: 'a total per item',
    labelNames: ['domain', 'kind'],
    registers: [theirs],
  });
  for (const i of ITEMS) {
    const s = series(i);
    if (s) c.inc(s.labels, s.value);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.match(await ours.metrics(), /# TYPE per_item_total counter/);
});

test('a new list of the same objects formats nothing; a changed object in the middle only its own line', async () => {
  const registry = new ExporterRegistry();
  let calls = 0;
  const family = new CachedTextCounter(
    'per_item_total',
    'h',
    ['domain'],
    (i: Item) => {
      calls++;
      return { labels: { domain: i.name }, value: i.n };
    },
    registry,
  );
  const items = [1, 2, 3].map((n) => ({ name: `d${n}`, n }));
  family.set(items);
  const first = await registry.metrics();
  family.set([...items]);
  assert.equal(await registry.metrics(), first);
  assert.equal(calls, 3);
  family.set([items[0] as Item, { name: 'd2', n: 20 }, items[2] as Item]);
  assert.match(
    await registry.metrics(),
    /per_item_total\{domain="d1"\} 1\nper_item_total\{domain="d2"\} 20\nper_item_total\{domain="d3"\} 3/,
  );
  assert.equal(calls, 4);
});
