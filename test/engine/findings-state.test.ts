// FindingsState with in-memory detectors: since tracking, grace (pending), forgetting cleared
// findings, keeping the last findings when a needed source is down, and detector errors.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { FindingsState } from '../../src/engine/findings-state.js';
import type { Config } from '../../src/config/flags.js';
import { defaultConfig } from '../../src/flags.js';
import type { DetectContext, FindingKind, FindingOf } from '../../src/detectors/finding.js';
import type { AnyDetector, Precondition } from '../../src/detectors/detector.js';
import { CATALOG } from '../../src/catalog/catalog.js';
import type { CollectorStatus, Snapshot } from '../../src/snapshot/snapshot.js';
import type { LibvirtSection } from '../../src/snapshot/libvirt.js';

const LIBVIRT: LibvirtSection = { uri: 'qemu:///system', local: true, domains: [], files: [], problems: [] };
const OK: CollectorStatus = { state: 'ok', reason: null, durationSeconds: 0.01, lastSuccessSeconds: 0, stale: false };

function snapshot(takenAt: number, libvirt: Partial<CollectorStatus> | 'missing' = {}): Snapshot {
  const snap: Snapshot = { schemaVersion: 1, hostname: 'h', takenAt, collectors: {} };
  if (libvirt !== 'missing') {
    snap.libvirt = LIBVIRT;
    snap.collectors.libvirt = { ...OK, lastSuccessSeconds: takenAt, ...libvirt };
  }
  return snap;
}

function crashed(subject: string, since: number | null = null): FindingOf<'domain_crashed'> {
  return {
    kind: 'domain_crashed',
    subject,
    labels: { domain: subject, uuid: 'u', reason: 'crashed' },
    since,
    reclaimable: { vcpus: 1 },
    evidence: { state: 'crashed', reason: 'crashed', vcpus: 1, memoryBytes: 0, pid: null },
  };
}

/** A detector whose output the test sets before each evaluation; it records what it was given. */
function scripted<K extends FindingKind>(kind: K, needs: readonly Precondition[] = ['libvirt']) {
  const real = CATALOG[kind].detector;
  const d = {
    kind,
    needs,
    labels: real.labels,
    ...('grace' in real ? { grace: real.grace, knobs: real.knobs } : {}),
    output: [] as Array<FindingOf<K>>,
    throwing: null as Error | null,
    contexts: [] as Array<DetectContext<string>>,
    detect(_s: Snapshot, ctx: DetectContext<string>) {
      d.contexts.push(ctx);
      if (d.throwing) throw d.throwing;
      return d.output;
    },
  };
  return d;
}

function config(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), 'detect.grace': 60, ...overrides };
}

const view = (r: ReturnType<FindingsState['evaluate']>) =>
  r.findings.map((f) => ({ subject: f.subject, since: f.since, pending: f.pending, stale: f.stale }));

test('since is kept across evaluations; pending until the grace has passed', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(config(), [d as AnyDetector]);
  d.output = [crashed('web-1')];
  assert.deepEqual(view(state.evaluate(snapshot(1000))), [
    { subject: 'web-1', since: 1000, pending: true, stale: false },
  ]);
  assert.deepEqual(view(state.evaluate(snapshot(1059))), [
    { subject: 'web-1', since: 1000, pending: true, stale: false },
  ]);
  assert.deepEqual(view(state.evaluate(snapshot(1060))), [
    { subject: 'web-1', since: 1000, pending: false, stale: false },
  ]);
  assert.deepEqual(view(state.evaluate(snapshot(5000))), [
    { subject: 'web-1', since: 1000, pending: false, stale: false },
  ]);
});

test('each kind uses its own grace flag (domain_paused: --detect.paused-grace)', () => {
  const d = scripted('domain_paused');
  const state = new FindingsState(config({ 'detect.paused-grace': 300 }), [d as AnyDetector]);
  d.output = [{ ...crashed('db'), kind: 'domain_paused', labels: { domain: 'db', uuid: 'u', reason: 'user' } }];
  assert.equal(state.evaluate(snapshot(1000)).findings[0]?.pending, true);
  assert.equal(state.evaluate(snapshot(1299)).findings[0]?.pending, true);
  assert.equal(state.evaluate(snapshot(1300)).findings[0]?.pending, false);
});

test('a detector-given since wins when it is earlier, never when it is later', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(config(), [d as AnyDetector]);
  d.output = [crashed('a', 700), crashed('b', 1500)];
  assert.deepEqual(view(state.evaluate(snapshot(1000))), [
    { subject: 'a', since: 700, pending: false, stale: false },
    // A start time in the future of the snapshot does not push since forward.
    { subject: 'b', since: 1000, pending: true, stale: false },
  ]);
  d.output = [crashed('a', 900), crashed('b', 1050)];
  assert.deepEqual(view(state.evaluate(snapshot(1100))), [
    { subject: 'a', since: 700, pending: false, stale: false },
    { subject: 'b', since: 1000, pending: false, stale: false },
  ]);
});

test('a finding that clears is forgotten: when it recurs, since starts anew', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(config(), [d as AnyDetector]);
  d.output = [crashed('web-1'), crashed('web-2')];
  state.evaluate(snapshot(1000));
  d.output = [crashed('web-2')];
  assert.deepEqual(view(state.evaluate(snapshot(1100))), [
    { subject: 'web-2', since: 1000, pending: false, stale: false },
  ]);
  d.output = [crashed('web-1'), crashed('web-2')];
  assert.deepEqual(view(state.evaluate(snapshot(1200))), [
    { subject: 'web-1', since: 1200, pending: true, stale: false },
    { subject: 'web-2', since: 1000, pending: false, stale: false },
  ]);
});

test('the same subject twice in one run is reported once', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(config(), [d as AnyDetector]);
  d.output = [crashed('web-1', 800), crashed('web-1', 500)];
  assert.deepEqual(view(state.evaluate(snapshot(1000))), [
    { subject: 'web-1', since: 800, pending: false, stale: false },
  ]);
});

test('the same subject under two kinds is two findings with their own since', () => {
  const a = scripted('domain_crashed');
  const b = scripted('domain_paused');
  const state = new FindingsState(config(), [a as AnyDetector, b as AnyDetector]);
  a.output = [crashed('x')];
  state.evaluate(snapshot(1000));
  b.output = [{ ...crashed('x'), kind: 'domain_paused' }];
  const r = state.evaluate(snapshot(1500));
  assert.deepEqual(
    r.findings.map((f) => [f.kind, f.since]),
    [
      ['domain_crashed', 1000],
      ['domain_paused', 1500],
    ],
  );
});

test('detectors get now from the snapshot and options from the flags', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(
    config({ 'detect.shutdown-grace': 11, 'detect.paused-grace': 22, 'detect.autostart-grace': 33 }),
    [d as AnyDetector],
  );
  state.evaluate(snapshot(1234.5));
  assert.equal(d.contexts.length, 1);
  assert.equal(d.contexts[0]?.now, 1234.5);
  const o = d.contexts[0]!.options;
  assert.deepEqual([o['detect.shutdown-grace'], o['detect.paused-grace'], o['detect.autostart-grace']], [11, 22, 33]);
});

test('a detector whose section is stale, down or missing is skipped and its last findings kept, stale', () => {
  const d = scripted('domain_crashed');
  const state = new FindingsState(config(), [d as AnyDetector]);
  d.output = [crashed('web-1')];
  state.evaluate(snapshot(1000));
  d.output = [];
  const cases: Array<Partial<CollectorStatus> | 'missing'> = [
    { state: 'error', reason: 'virsh exited (1)', stale: true, lastSuccessSeconds: 1000 },
    { state: 'timeout', reason: 'timed out after 10s', stale: true, lastSuccessSeconds: 1000 },
    { state: 'absent', reason: 'virsh not found' },
    { state: 'ok', stale: true },
  ];
  // A detector with two needs, one of them not collected at all, is skipped (not inapplicable).
  const both = new FindingsState(config(), [scripted('domain_crashed', ['libvirt', 'procfs']) as AnyDetector]);
  assert.deepEqual(both.evaluate(snapshot(1000)).skipped, { domain_crashed: 'needs procfs' });
  // Kept findings keep the pending flag they had when last confirmed: a finding that was still
  // in its grace is not promoted while nobody can see whether it is still there.
  for (const [i, status] of cases.entries()) {
    const r = state.evaluate(snapshot(1100 + i, status));
    assert.deepEqual(r.skipped, { domain_crashed: 'needs libvirt' }, JSON.stringify(status));
    assert.deepEqual(view(r), [{ subject: 'web-1', since: 1000, pending: true, stale: true }], JSON.stringify(status));
  }
  assert.equal(d.contexts.length, 1, 'the detector did not run on stale data');
  // Back up: the finding is still there, with its first since; then it clears for real.
  d.output = [crashed('web-1')];
  assert.deepEqual(view(state.evaluate(snapshot(1200))), [
    { subject: 'web-1', since: 1000, pending: false, stale: false },
  ]);
  d.output = [];
  const cleared = state.evaluate(snapshot(1300));
  assert.deepEqual(cleared.findings, []);
  assert.deepEqual(cleared.skipped, {});
});

test('a detector that throws is recorded in errors; its last findings are kept, stale; the others still run', () => {
  const bad = scripted('domain_crashed');
  const good = scripted('domain_paused');
  const state = new FindingsState(config(), [bad as AnyDetector, good as AnyDetector]);
  bad.output = [crashed('web-1')];
  state.evaluate(snapshot(1000));
  bad.throwing = new TypeError("Cannot read properties of undefined (reading 'disks')");
  good.output = [{ ...crashed('db'), kind: 'domain_paused' }];
  const r = state.evaluate(snapshot(1100));
  assert.deepEqual(r.errors, { domain_crashed: "Cannot read properties of undefined (reading 'disks')" });
  assert.deepEqual(r.skipped, {});
  assert.deepEqual(
    r.findings.map((f) => [f.kind, f.subject, f.stale]),
    [
      ['domain_crashed', 'web-1', true],
      ['domain_paused', 'db', false],
    ],
  );
});

test('a detector that never succeeded and is skipped reports nothing', () => {
  const d = scripted('domain_crashed');
  d.output = [crashed('web-1')];
  const state = new FindingsState(config(), [d as AnyDetector]);
  const r = state.evaluate(snapshot(1000, { state: 'absent', reason: 'no virsh' }));
  assert.deepEqual(r, {
    findings: [],
    skipped: { domain_crashed: 'needs libvirt' },
    errors: {},
    inapplicable: [],
    ended: [],
  });
});

test('a detector whose collector this exporter does not run is inapplicable, not skipped', () => {
  const d = scripted('domain_crashed');
  d.output = [crashed('web-1')];
  const state = new FindingsState(config(), [d as AnyDetector]);
  const result = state.evaluate(snapshot(1000, 'missing'));
  assert.deepEqual(result.inapplicable, ['domain_crashed']);
  assert.deepEqual(result.skipped, {});
  assert.deepEqual(result.findings, []);
  assert.equal(d.contexts.length, 0, 'not run');
});
