// The scrape budget with fake slow sources, an injected clock and timer (no real waiting): a caller
// with a budget is answered when it runs out, a source still running is served from its last good
// data, marked stale, and keeps running to its own timeout.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Collection, type NamedSource, type Timer } from '../../src/engine/collection.js';
import { scrapeBudgetSeconds } from '../../src/engine/scrape-budget.js';
import { defaultConfig } from '../../src/flags.js';
import type { SourceInstance } from '../../src/sources/source.js';
import type { SectionName, Snapshot } from '../../src/snapshot/snapshot.js';
import { silentLogger } from '../../src/util/log.js';

/** A clock and timer that move only when told to. */
function manualTime(start: number) {
  let now = start;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const timer: Timer = (seconds, fn) => {
    const t = { at: now + seconds, fn };
    timers.push(t);
    return () => {
      timers = timers.filter((x) => x !== t);
    };
  };
  return {
    clock: () => now,
    timer,
    pending: () => timers.length,
    async advance(seconds: number) {
      const until = now + seconds;
      await settle();
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        timers = timers.filter((t) => t !== due);
        due.fn();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

interface Gated extends NamedSource {
  calls: number;
  signals: AbortSignal[];
  release(value: unknown): void;
}

/** A source whose n-th call answers only when released (or never). */
function gated(name: SectionName): Gated {
  const waiting: Array<(v: unknown) => void> = [];
  const src: Gated = {
    name,
    calls: 0,
    signals: [],
    instance: undefined as unknown as SourceInstance,
    release: (v) => waiting.shift()?.(v),
  };
  src.instance = {
    collect: ({ signal }) => {
      src.calls++;
      src.signals.push(signal);
      return new Promise((resolve) => waiting.push(resolve as (v: unknown) => void)) as never;
    },
    close: async () => {},
  };
  return src;
}

function instant(name: SectionName): NamedSource & { calls: number } {
  const src = { name, calls: 0, instance: undefined as unknown as SourceInstance };
  src.instance = { collect: async () => ({ n: ++src.calls }) as never, close: async () => {} };
  return src;
}

test('a budgeted get() answers at the budget: the slow source still runs, marked timeout, no data yet', async () => {
  const t = manualTime(1000);
  const slow = gated('libvirt');
  const fast = instant('procfs');
  const collection = new Collection(
    [slow, fast],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const got: { s?: Snapshot } = {};
  void collection.get(9.5).then((s) => {
    got.s = s;
  });
  await t.advance(9.4);
  assert.equal(got.s, undefined);
  await t.advance(0.1);
  const answer = got.s as Snapshot | undefined;
  assert.ok(answer);
  assert.equal(answer.takenAt, 1000);
  assert.deepEqual(answer.procfs, { n: 1 } as never);
  assert.equal(answer.collectors.procfs?.state, 'ok');
  assert.equal(answer.libvirt, undefined);
  assert.deepEqual(answer.collectors.libvirt, {
    state: 'timeout',
    reason: 'still running after the scrape budget of 9.5s; no data yet',
    durationSeconds: 9.5,
    lastSuccessSeconds: null,
    stale: false,
  });
  // It keeps running: not aborted, and it finishes into the next complete snapshot.
  assert.equal(slow.signals[0]!.aborted, false);
  assert.equal(collection.peek(), null);
  slow.release({ late: true });
  await settle();
  assert.deepEqual(collection.peek()?.libvirt, { late: true } as never);
  assert.equal(collection.peek()?.collectors.libvirt?.state, 'ok');
  assert.equal(t.pending(), 0);
});

test('a hung source is served from its last good data, stale, until its own timeout cancels it', async () => {
  const t = manualTime(2000);
  const slow = gated('libvirt');
  const fast = instant('procfs');
  const collection = new Collection(
    [slow, fast],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const first = collection.get(9.5);
  slow.release({ generation: 1 });
  assert.deepEqual((await first).libvirt, { generation: 1 } as never);

  await t.advance(30);
  const got: { s?: Snapshot } = {};
  void collection.get(9.5).then((s) => {
    got.s = s;
  });
  await t.advance(9.5);
  const answer = got.s as Snapshot | undefined;
  assert.ok(answer);
  assert.equal(answer.takenAt, 2030);
  assert.deepEqual(answer.libvirt, { generation: 1 } as never);
  assert.deepEqual(answer.procfs, { n: 2 } as never);
  assert.deepEqual(answer.collectors.libvirt, {
    state: 'timeout',
    reason: 'still running after the scrape budget of 9.5s; its last good data is served',
    durationSeconds: 9.5,
    lastSuccessSeconds: 2000,
    stale: true,
  });
  assert.equal(slow.signals[1]!.aborted, false);
  // Its own timeout (10 s after it started) cancels it; the complete snapshot says so.
  await t.advance(0.5);
  assert.equal(slow.signals[1]!.aborted, true);
  const done = collection.peek()!;
  assert.equal(done.takenAt, 2030);
  assert.deepEqual(
    [done.collectors.libvirt?.state, done.collectors.libvirt?.reason, done.collectors.libvirt?.stale],
    ['timeout', 'timed out after 10s', true],
  );
  assert.deepEqual(done.libvirt, { generation: 1 } as never);
});

test('scrapes during a hung collection share it; each waits at most its own budget from its arrival', async () => {
  const t = manualTime(3000);
  const slow = gated('libvirt');
  const fast = instant('procfs');
  const collection = new Collection(
    [slow, fast],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const answered: Array<[string, number]> = [];
  void collection.get(4).then(() => answered.push(['a', t.clock()]));
  void collection.get(4).then(() => answered.push(['b', t.clock()]));
  await t.advance(3);
  void collection.get(4).then(() => answered.push(['c', t.clock()]));
  await t.advance(10);
  assert.deepEqual(answered, [
    ['a', 3004],
    ['b', 3004],
    ['c', 3007],
  ]);
  assert.equal(slow.calls, 1);
  assert.equal(fast.calls, 1);
});

test('concurrent scrapes at the same point get the same partial snapshot (evaluated once)', async () => {
  const t = manualTime(4000);
  const slow = gated('libvirt');
  const collection = new Collection(
    [slow, instant('procfs')],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const a = collection.get(2);
  const b = collection.get(2);
  await t.advance(2);
  assert.equal(await a, await b);
});

test('get(budget) answers by its budget; get() without one waits for all of it', async () => {
  const t = manualTime(5000);
  const slow = gated('libvirt');
  const collection = new Collection(
    [slow],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const states: string[] = [];
  void collection.get(1).then((s) => states.push(`inside ${s.collectors.libvirt?.state}`));
  void collection.get().then((s) => states.push(`outside ${s.collectors.libvirt?.state}`));
  await t.advance(1);
  assert.deepEqual(states, ['inside timeout']);
  slow.release({});
  await settle();
  assert.deepEqual(states, ['inside timeout', 'outside ok']);
});

test('a collection that finishes within the budget is served whole, and the budget timer is cancelled', async () => {
  const t = manualTime(6000);
  const collection = new Collection(
    [instant('procfs')],
    { timeoutSeconds: 10, minIntervalSeconds: 0, clock: t.clock, timer: t.timer },
    silentLogger,
  );
  const snap = await collection.get(9.5);
  assert.equal(snap.collectors.procfs?.state, 'ok');
  assert.equal(snap, collection.peek());
  assert.equal(t.pending(), 0);
});

test('scrape budget: the header minus the offset, else the configured budget; never below 0.1 s', () => {
  const opts = { offsetSeconds: 0.5, fallbackSeconds: 9 };
  assert.equal(scrapeBudgetSeconds('10', opts), 9.5);
  assert.equal(scrapeBudgetSeconds(' 2.5 ', opts), 2);
  assert.equal(scrapeBudgetSeconds(['30', '1'], opts), 29.5);
  assert.equal(scrapeBudgetSeconds(undefined, opts), 9);
  for (const bad of ['', 'abc', '-3', '0', 'Infinity', 'NaN']) assert.equal(scrapeBudgetSeconds(bad, opts), 9, bad);
  assert.equal(scrapeBudgetSeconds('0.3', opts), 0.1);
});

test("default flags answer within Prometheus' default scrape_timeout (10s), with and without the header", () => {
  const c = defaultConfig();
  const opts = { offsetSeconds: c['web.scrape-timeout-offset'], fallbackSeconds: c['web.scrape-budget'] };
  assert.ok(scrapeBudgetSeconds('10', opts) < 10);
  assert.ok(scrapeBudgetSeconds(undefined, opts) < 10);
});
