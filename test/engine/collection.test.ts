// Collection with in-memory sources: shared in-flight collections, min-interval reuse, timeouts
// that abort the source, stale last-good data, and the absent state.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Collection, type NamedSource } from '../../src/engine/collection.js';
import type { SourceInstance } from '../../src/sources/source.js';
import { SourceAbsentError } from '../../src/sources/source-absent-error.js';
import type { SectionName } from '../../src/snapshot/snapshot.js';
import { silentLogger, type Logger } from '../../src/util/log.js';

type Behaviour = (signal: AbortSignal, call: number) => Promise<unknown> | unknown;

interface FakeSource extends NamedSource {
  calls: number;
  signals: AbortSignal[];
  closed: number;
}

function fake(name: SectionName, behaviour: Behaviour): FakeSource {
  const src = {
    name,
    calls: 0,
    signals: [] as AbortSignal[],
    closed: 0,
    instance: undefined as unknown as SourceInstance,
  };
  src.instance = {
    collect: async ({ signal }) => {
      src.calls++;
      src.signals.push(signal);
      return (await behaviour(signal, src.calls)) as never;
    },
    close: async () => {
      src.closed++;
    },
  };
  return src;
}

function manualClock(start: number) {
  const clock = { now: start, fn: () => clock.now };
  return clock;
}

const never = () => new Promise<never>(() => {});

test('50 concurrent get() calls share one collection', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const a = fake('procfs', async (_s, n) => {
    await gate;
    return { n };
  });
  const b = fake('libvirt', async (_s, n) => ({ n }));
  const collection = new Collection([a, b], { timeoutSeconds: 10, minIntervalSeconds: 5 }, silentLogger);
  const pending = Array.from({ length: 50 }, () => collection.get());
  await new Promise((r) => setImmediate(r));
  release();
  const snapshots = await Promise.all(pending);
  assert.equal(a.calls, 1);
  assert.equal(b.calls, 1);
  assert.ok(snapshots.every((s) => s === snapshots[0]));
  assert.deepEqual(snapshots[0]!.procfs, { n: 1 } as never);
  assert.equal(collection.peek(), snapshots[0]);
});

test('a snapshot younger than min-interval is served as it is; an older one is collected anew', async () => {
  const clock = manualClock(1000);
  const a = fake('procfs', (_s, n) => ({ n }));
  const collection = new Collection([a], { timeoutSeconds: 10, minIntervalSeconds: 5, clock: clock.fn }, silentLogger);
  assert.equal(collection.peek(), null);
  const first = await collection.get();
  assert.equal(first.takenAt, 1000);
  clock.now = 1004.9;
  assert.equal(await collection.get(), first);
  assert.equal(a.calls, 1);
  clock.now = 1005;
  const second = await collection.get();
  assert.notEqual(second, first);
  assert.equal(second.takenAt, 1005);
  assert.deepEqual(second.procfs, { n: 2 } as never);
  assert.equal(a.calls, 2);
});

test('asked ahead (the prefetch), a snapshot older than min-interval by then is collected anew', async () => {
  const clock = manualClock(1000);
  const a = fake('procfs', (_s, n) => ({ n }));
  const collection = new Collection([a], { timeoutSeconds: 10, minIntervalSeconds: 5, clock: clock.fn }, silentLogger);
  const first = await collection.get();
  clock.now = 1004;
  assert.equal(await collection.get(undefined, 0.5), first, 'still fresh at 1004.5');
  const ahead = await collection.get(undefined, 1);
  assert.notEqual(ahead, first, 'would be 5 s old at 1005');
  assert.equal(ahead.takenAt, 1004);
  assert.equal(a.calls, 2);
});

test('min-interval 0 collects on every call', async () => {
  const a = fake('procfs', (_s, n) => ({ n }));
  const collection = new Collection([a], { timeoutSeconds: 10, minIntervalSeconds: 0 }, silentLogger);
  await collection.get();
  await collection.get();
  assert.equal(a.calls, 2);
});

test('a source that never answers times out, its signal is aborted, the other source still reports', async () => {
  const hung = fake('libvirt', never);
  const ok = fake('procfs', () => ({ fine: true }));
  const collection = new Collection([hung, ok], { timeoutSeconds: 0.2, minIntervalSeconds: 0 }, silentLogger);
  // The hung source never settles: that get() resolves at all shows it did not wait for it. Only the
  // lower bound is checked on the wall clock; a loaded machine can stretch any upper one.
  const started = Date.now();
  const snap = await collection.get();
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190, `took ${elapsed} ms`);
  assert.equal(snap.libvirt, undefined);
  assert.deepEqual(snap.procfs, { fine: true } as never);
  const status = snap.collectors.libvirt!;
  assert.equal(status.state, 'timeout');
  assert.equal(status.reason, 'timed out after 0.2s');
  assert.equal(status.stale, false);
  assert.equal(status.lastSuccessSeconds, null);
  assert.ok(status.durationSeconds >= 0.19, String(status.durationSeconds));
  assert.equal(hung.signals[0]!.aborted, true);
  assert.match(String((hung.signals[0]!.reason as Error).message), /timed out after 0.2s/);
  assert.equal(ok.signals[0]!.aborted, false);
  assert.deepEqual(snap.collectors.procfs, {
    ...snap.collectors.procfs!,
    state: 'ok',
    reason: null,
    stale: false,
    lastSuccessSeconds: snap.takenAt,
  });
});

test('after a good collection, a failure keeps the last good section, stale, with its success time', async () => {
  const clock = manualClock(2000);
  const a = fake('libvirt', (_s, n) => {
    if (n === 1) return { generation: 1 };
    throw new Error('virsh exited (1): error: internal error');
  });
  const collection = new Collection([a], { timeoutSeconds: 10, minIntervalSeconds: 0, clock: clock.fn }, silentLogger);
  const good = await collection.get();
  assert.deepEqual(good.collectors.libvirt, {
    state: 'ok',
    reason: null,
    durationSeconds: 0,
    lastSuccessSeconds: 2000,
    stale: false,
  });
  clock.now = 2030;
  const bad = await collection.get();
  assert.deepEqual(bad.libvirt, { generation: 1 } as never);
  assert.deepEqual(bad.collectors.libvirt, {
    state: 'error',
    reason: 'virsh exited (1): error: internal error',
    durationSeconds: 0,
    lastSuccessSeconds: 2000,
    stale: true,
  });
  assert.equal(bad.takenAt, 2030);
});

test('a timeout after a good collection also keeps the last good section, stale', async () => {
  const a = fake('libvirt', (_s, n) => (n === 1 ? { generation: 1 } : never()));
  const collection = new Collection([a], { timeoutSeconds: 0.1, minIntervalSeconds: 0 }, silentLogger);
  const good = await collection.get();
  const late = await collection.get();
  assert.deepEqual(late.libvirt, { generation: 1 } as never);
  assert.equal(late.collectors.libvirt?.state, 'timeout');
  assert.equal(late.collectors.libvirt?.stale, true);
  assert.equal(late.collectors.libvirt?.lastSuccessSeconds, good.takenAt);
});

test('SourceAbsentError is the quiet absent state; other throws (even sync, even non-Error) are errors', async () => {
  const absent = fake('libvirt', () => {
    throw new SourceAbsentError('virsh not found: libvirt client tools are not installed');
  });
  const syncThrow: FakeSource = {
    ...fake('procfs', never),
    instance: {
      collect: () => {
        throw new Error('boom');
      },
      close: async () => {},
    },
  };
  const collection = new Collection([absent, syncThrow], { timeoutSeconds: 10, minIntervalSeconds: 0 }, silentLogger);
  const snap = await collection.get();
  assert.equal(snap.libvirt, undefined);
  assert.deepEqual(snap.collectors.libvirt, {
    state: 'absent',
    reason: 'virsh not found: libvirt client tools are not installed',
    durationSeconds: snap.collectors.libvirt!.durationSeconds,
    lastSuccessSeconds: null,
    stale: false,
  });
  assert.equal(snap.collectors.procfs?.state, 'error');
  assert.equal(snap.collectors.procfs?.reason, 'boom');

  const str = fake('procfs', () => Promise.reject('plain string'));
  const snap2 = await new Collection([str], { timeoutSeconds: 10, minIntervalSeconds: 0 }, silentLogger).get();
  assert.deepEqual([snap2.collectors.procfs?.state, snap2.collectors.procfs?.reason], ['error', 'plain string']);
});

test('collector state changes are logged once, not on every collection', async () => {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const log: Logger = {
    debug: () => {},
    info: (m, f) => lines.push(['info', m, f]),
    warn: (m, f) => lines.push(['warn', m, f]),
    error: (m, f) => lines.push(['error', m, f]),
  };
  const a = fake('libvirt', (_s, n) => {
    if (n <= 2) throw new Error('down');
    if (n <= 4) return {};
    throw new SourceAbsentError('gone');
  });
  const collection = new Collection([a], { timeoutSeconds: 10, minIntervalSeconds: 0 }, log);
  for (let i = 0; i < 6; i++) await collection.get();
  assert.deepEqual(
    lines.map(([level, msg]) => `${level} ${msg}`),
    ['warn collector down', 'info collector up', 'info collector has nothing to read on this host'],
  );
  assert.deepEqual(lines[0]![2], { collector: 'libvirt', state: 'error', reason: 'down' });
});

test('close() closes every source, even when one fails to', async () => {
  const a = fake('libvirt', () => ({}));
  const b: FakeSource = {
    ...fake('procfs', () => ({})),
    instance: {
      collect: async () => ({}) as never,
      close: async () => {
        throw new Error('close failed');
      },
    },
  };
  const c = fake('procfs', () => ({}));
  const collection = new Collection([a, b, c], { timeoutSeconds: 10, minIntervalSeconds: 0 }, silentLogger);
  await collection.close();
  assert.equal(a.closed, 1);
  assert.equal(c.closed, 1);
});
