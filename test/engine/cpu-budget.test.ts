// The node agent's CPU budget: how long a collection is held back for the CPU the agent used since the last one
// began, the longest hold (the flag's while lifecycle events are heard, else a minute), a heard change ending a hold,
// the slack for a steady scraper, and its wiring (node mode only, 0 turns it off).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Collection } from '../../src/engine/collection.js';
import { CpuBudget, HOLD_SLACK_SECONDS, UNWATCHED_MAX_HOLD_SECONDS } from '../../src/engine/cpu-budget.js';
import { Engine, cpuBudgetOf } from '../../src/engine/engine.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import type { SourceInstance } from '../../src/sources/source.js';
import { silentLogger } from '../../src/util/log.js';

const configOf = (...args: string[]) =>
  parseArgs(
    args,
    SOURCES.map((s) => s.name),
  ).config;

/** A clock and a CPU meter the test moves; each collection costs `costSeconds` of CPU. */
function host(costSeconds: number) {
  const h = { now: 1000, cpu: 10, collections: 0, costSeconds };
  const instance: SourceInstance = {
    collect: () => {
      h.collections++;
      h.cpu += h.costSeconds;
      return Promise.resolve({ n: h.collections } as never);
    },
    close: () => Promise.resolve(),
  };
  return { h, instance };
}

/**
 * A collection of that host's one source, paced to 0.5 % of one core: a one-minute longest hold, or with
 * `hearing` (changes heard as they happen) a three-minute one.
 */
function pacedHost(costSeconds: number, hearing?: { heard: boolean }) {
  const { h, instance } = host(costSeconds);
  const budget = new CpuBudget({
    percentOfOneCore: 0.5,
    maxHoldSeconds: hearing ? 180 : 60,
    cpu: () => h.cpu,
    ...(hearing ? { watching: () => hearing.heard } : {}),
  });
  const options = { timeoutSeconds: 10, minIntervalSeconds: 5, clock: () => h.now };
  const collection = new Collection([{ name: 'procfs', instance }], { ...options, cpuBudget: budget }, silentLogger);
  return { h, instance, options, collection, budget };
}

test('the hold is the CPU since the last collection began over the budget, at most the longest hold', () => {
  let cpu = 5;
  const budget = new CpuBudget({ percentOfOneCore: 0.5, maxHoldSeconds: 60, cpu: () => cpu });
  assert.equal(budget.holdSeconds(), 0, 'nothing collected yet: nothing held');
  assert.equal(budget.holds(0), false);
  budget.started();
  assert.equal(budget.holdSeconds(), 0);
  cpu += 0.1;
  assert.ok(Math.abs(budget.holdSeconds() - 20) < 1e-9, `0.1 s at 0.5 %: 20 s, got ${budget.holdSeconds()}`);
  assert.equal(budget.holds(15), true);
  assert.equal(budget.holds(20 - HOLD_SLACK_SECONDS), false, 'within the slack of the end: not held');
  cpu += 1;
  assert.equal(budget.holdSeconds(), 60, '1.1 s would be 220 s: the longest hold');
  budget.started();
  assert.equal(budget.holdSeconds(), 0, 'counted from the last start');
  assert.throws(() => new CpuBudget({ percentOfOneCore: 0, maxHoldSeconds: 60 }), /above 0/);
});

test("the process's own CPU is what is counted", () => {
  const budget = new CpuBudget({ percentOfOneCore: 0.5, maxHoldSeconds: 600 });
  budget.started();
  const until = performance.now() + 60;
  let spin = 0;
  while (performance.now() < until) spin++;
  assert.ok(spin > 0);
  // About 60 ms of CPU over 0.5 %: about 12 s (less only if this thread did not get the CPU it asked for).
  assert.ok(budget.holdSeconds() >= 4, `held ${budget.holdSeconds()} s`);
});

test('a busy host at 15 s scrapes collects once a minute; scrapes between get the last result', async () => {
  const { h, collection } = pacedHost(0.267);
  const taken: number[] = [];
  for (let t = 0; t <= 180; t += 15) {
    h.now = 1000 + t;
    h.cpu += 0.002; // serving the scrape
    taken.push((await collection.get()).takenAt - 1000);
  }
  // 0.267 s (+ serving) at 0.5 %: held about 54 s, so the scrape at 60 s collects.
  assert.deepEqual(taken, [0, 0, 0, 0, 60, 60, 60, 60, 120, 120, 120, 120, 180]);
  assert.equal(h.collections, 4);
  // The budget is kept: the agent's CPU over the time, collections and serving, is within 0.5 % of a core.
  assert.ok((h.cpu - 10) / 180 <= 0.005 + 0.267 / 180, `${(100 * (h.cpu - 10)) / 180} %`);
});

test("while changes are heard the longest hold is the flag's; without them, at most a minute", () => {
  let cpu = 5;
  const hearing = { heard: true };
  const budget = new CpuBudget({
    percentOfOneCore: 0.5,
    maxHoldSeconds: 180,
    cpu: () => cpu,
    watching: () => hearing.heard,
  });
  budget.started();
  cpu += 0.6;
  assert.ok(Math.abs(budget.holdSeconds() - 120) < 1e-9, `0.6 s at 0.5 %: 120 s, got ${budget.holdSeconds()}`);
  assert.equal(budget.hearingChanges(), true);
  cpu += 1;
  assert.equal(budget.holdSeconds(), 180);
  hearing.heard = false; // the connection dropped, say
  assert.equal(budget.holdSeconds(), UNWATCHED_MAX_HOLD_SECONDS);
  assert.equal(budget.maxHoldSeconds(), 60);
  const deaf = new CpuBudget({ percentOfOneCore: 0.5, maxHoldSeconds: 180, cpu: () => cpu });
  deaf.started();
  cpu += 1;
  assert.equal(deaf.holdSeconds(), 60, 'no source to hear changes: a minute');
  const short = new CpuBudget({ percentOfOneCore: 0.5, maxHoldSeconds: 30, cpu: () => cpu });
  short.started();
  cpu += 1;
  assert.equal(short.holdSeconds(), 30, 'a shorter flag is kept');
});

test('a heard change ends the hold; one heard during a collection, the next one', async () => {
  const hearing = { heard: true };
  const { h, collection, budget } = pacedHost(0.6, hearing);
  await collection.get();
  h.now += 15;
  assert.equal((await collection.get()).takenAt, 1000, 'held: 0.6 s is two minutes at 0.5 %');
  budget.changed();
  assert.equal(collection.pacing()?.heldForSeconds, 0);
  h.now += 1; // within min-interval of nothing: the scrape collects
  assert.equal((await collection.get()).takenAt, 1016, 'the change ended the hold');
  h.now += 15;
  assert.equal((await collection.get()).takenAt, 1016, 'the collection after it holds again');
  // A change heard while a collection runs may have come too late for it: the next one is not held.
  const { h: h2, instance, collection: c2, budget: b2 } = pacedHost(0.6, hearing);
  const collect = instance.collect.bind(instance);
  instance.collect = (ctx) => {
    const out = collect(ctx);
    b2.changed();
    return out;
  };
  await c2.get();
  h2.now += 15;
  assert.equal((await c2.get()).takenAt, 1015, 'the change during the first collection ended its hold');
});

test('a busy host whose lifecycle events are heard collects every two minutes at 15 s scrapes', async () => {
  const { h, collection } = pacedHost(0.55, { heard: true });
  const taken: number[] = [];
  for (let t = 0; t <= 360; t += 15) {
    h.now = 1000 + t;
    h.cpu += 0.002;
    taken.push((await collection.get()).takenAt - 1000);
  }
  // 0.55 s (+ serving) at 0.5 %: held about 111 s, so the scrape at 120 s collects.
  assert.deepEqual([...new Set(taken)], [0, 120, 240, 360]);
  assert.ok((h.cpu - 10) / 360 <= 0.005 + 0.55 / 360, `${(100 * (h.cpu - 10)) / 360} %`);
});

test('a small host is never held back: every scrape past min-interval collects', async () => {
  const { h, collection } = pacedHost(0.02);
  for (let t = 0; t <= 60; t += 15) {
    h.now = 1000 + t;
    assert.equal((await collection.get()).takenAt, h.now, `scrape at ${t} s`);
  }
  assert.equal(h.collections, 5);
});

test('however costly, a scraper at the longest hold collects every scrape, a little early or late', async () => {
  const { h, collection } = pacedHost(3);
  let t = 0;
  for (const step of [0, 59.6, 60.3, 59.2, 60]) {
    t += step;
    h.now = 1000 + t;
    assert.equal((await collection.get()).takenAt, h.now, `scrape at ${t} s`);
  }
  // A scraper faster than that is served a result at most the longest hold old.
  h.now += 30;
  assert.equal((await collection.get()).takenAt, h.now - 30);
  h.now += 29.5;
  assert.equal((await collection.get()).takenAt, h.now, 'the hold is over (within the slack)');
});

test('the prefetch asks for the scrape it expects: a collection due by then starts ahead of it', async () => {
  const { h, collection } = pacedHost(0.267);
  await collection.get();
  h.now = 1000 + 45 - 1.5;
  assert.equal((await collection.get(undefined, 1.5)).takenAt, 1000, 'the scrape at 45 s is still held');
  h.now = 1000 + 60 - 1.5;
  assert.equal((await collection.get(undefined, 1.5)).takenAt, h.now, 'the scrape at 60 s is not: it starts now');
});

test('the pacing the landing page shows: the share, and how much longer the last result is held', async () => {
  const { h, instance, options, collection } = pacedHost(0.1);
  assert.equal(collection.pacing(), null, 'nothing collected yet');
  await collection.get();
  h.now += 4;
  // 0.1 s at 0.5 %: held 20 s from the start, less the slack, less the 4 s since.
  const pacing = collection.pacing();
  assert.equal(pacing?.percentOfOneCore, 0.5);
  assert.ok(Math.abs((pacing?.heldForSeconds ?? 0) - 15) < 1e-6, `held ${pacing?.heldForSeconds} s more`);
  h.now += 30;
  assert.deepEqual(collection.pacing(), {
    percentOfOneCore: 0.5,
    heldForSeconds: 0,
    maxHoldSeconds: 60,
    hearingChanges: false,
  });
  const unpaced = new Collection([{ name: 'procfs', instance }], options, silentLogger);
  await unpaced.get();
  assert.equal(unpaced.pacing(), null);
});

test('a node agent has a budget; a cluster agent, a budget of 0 and a min-interval of 0 have none', () => {
  assert.ok(cpuBudgetOf(configOf()) instanceof CpuBudget);
  assert.equal(cpuBudgetOf(configOf('--mode=cluster')), undefined);
  assert.equal(cpuBudgetOf(configOf('--collector.cpu-budget=0')), undefined);
  assert.equal(cpuBudgetOf(configOf('--collector.min-interval=0s')), undefined, 'every scrape collects, as asked');
  assert.equal(configOf('--collector.cpu-budget=2.5')['collector.cpu-budget'], 2.5);
  assert.equal(configOf('--collector.cpu-budget-max-hold=30s')['collector.cpu-budget-max-hold'], 30);
  assert.equal(configOf()['collector.cpu-budget-max-hold'], 180);
  // The longer hold only while every source that can hear changes hears them.
  const source = (heard: boolean | undefined) => ({
    name: 'libvirt' as const,
    instance: {
      collect: () => Promise.resolve({} as never),
      close: () => Promise.resolve(),
      ...(heard === undefined ? {} : { hearsChanges: () => heard }),
    },
  });
  assert.equal(cpuBudgetOf(configOf(), undefined, () => [source(true)])?.maxHoldSeconds(), 180);
  assert.equal(cpuBudgetOf(configOf(), undefined, () => [source(false)])?.maxHoldSeconds(), 60);
  assert.equal(cpuBudgetOf(configOf(), undefined, () => [source(undefined)])?.maxHoldSeconds(), 60);
  assert.equal(cpuBudgetOf(configOf(), undefined, () => [source(true), source(false)])?.maxHoldSeconds(), 60);
  for (const bad of ['-1', 'half', '1e3', ''])
    assert.throws(() => configOf(`--collector.cpu-budget=${bad}`), /expected a number/, bad);
});

test('an engine in node mode holds its collections by the budget (real procfs source on this machine)', async () => {
  const clock = { now: 1000, cpu: 50 };
  const engine = new Engine(
    configOf(
      '--no-collector.libvirt',
      '--no-collector.sysfs',
      '--no-collector.pools',
      '--no-collector.virthandler',
      '--collector.cpu-budget=1',
    ),
    silentLogger,
    { clock: () => clock.now, cpu: () => clock.cpu },
  );
  try {
    const first = await engine.refresh();
    clock.cpu += 0.3; // 30 s at 1 %
    clock.now += 15;
    assert.equal(await engine.refresh(), first, 'held at 15 s');
    clock.now += 15;
    const second = await engine.refresh();
    assert.notEqual(second, first, 'collected at 30 s');
    assert.equal(second.snapshot.takenAt, 1030);
    assert.ok(second.snapshot.procfs && second.snapshot.procfs.processes.length > 0);
  } finally {
    await engine.close();
  }
});
