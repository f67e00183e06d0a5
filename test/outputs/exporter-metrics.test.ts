// ExporterMetrics: the per-kind cap with its dropped counter, pending findings, series that
// disappear with their finding, collector health, and label escaping read back from the text.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import type { Config } from '../../src/config/flags.js';
import { defaultConfig } from '../../src/flags.js';
import type { DetectionResult, ReportedFinding } from '../../src/detectors/finding.js';
import type { CollectorStatus, Snapshot } from '../../src/snapshot/snapshot.js';
import type { Domain } from '../../src/snapshot/libvirt.js';
import { FINDING_KINDS } from '../../src/catalog/catalog.js';
import { parsePromText, series, value, type Sample } from '../support/prom-text.js';

const NOW = 10_000;
const OK: CollectorStatus = { state: 'ok', reason: null, durationSeconds: 0.25, lastSuccessSeconds: NOW, stale: false };

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return { schemaVersion: 1, hostname: 'h', takenAt: NOW, collectors: { libvirt: OK }, ...extra };
}

function crashed(
  name: string,
  since: number,
  opts: { pending?: boolean; stale?: boolean; labels?: Record<string, string>; memoryBytes?: number } = {},
): ReportedFinding {
  return {
    kind: 'domain_crashed',
    subject: `${name} (uuid-${name})`,
    labels: opts.labels ?? { domain: name, uuid: `uuid-${name}`, reason: 'crashed' },
    since,
    pending: opts.pending ?? false,
    stale: opts.stale ?? false,
    related: [],
    reclaimable: { vcpus: 2, memoryBytes: opts.memoryBytes ?? 1024 },
    evidence: { state: 'crashed', reason: 'crashed', vcpus: 2, memoryBytes: 1024, pid: 7 },
  };
}

const detection = (findings: ReportedFinding[], extra: Partial<DetectionResult> = {}): DetectionResult => ({
  findings,
  skipped: {},
  errors: {},
  inapplicable: [],
  ...extra,
});

async function scrape(m: ExporterMetrics): Promise<Sample[]> {
  return parsePromText(await m.metrics());
}

function metrics(overrides: Partial<Config> = {}): ExporterMetrics {
  return new ExporterMetrics({ ...defaultConfig(), ...overrides } as Config, ['libvirt', 'procfs'], {
    processMetrics: false,
  });
}

test('--findings.max-per-kind keeps the oldest findings and counts the rest as dropped', async () => {
  const m = metrics({ 'findings.max-per-kind': 2 });
  const five = [crashed('e', 9500), crashed('a', 5000), crashed('d', 9000), crashed('b', 6000), crashed('c', 7000)];
  m.update(snapshot(), detection(five));
  let s = await scrape(m);
  assert.deepEqual(
    series(s, 'vmzombie_finding_age_seconds')
      .map((x) => [x.labels.domain, x.value])
      .sort(),
    [
      ['a', 5000],
      ['b', 4000],
    ],
  );
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_crashed' }), 5);
  assert.equal(value(s, 'vmzombie_findings_dropped_total', { kind: 'domain_crashed' }), 3);
  assert.equal(value(s, 'vmzombie_reclaimable_vcpus', { kind: 'domain_crashed' }), 10);
  // A counter: the next collection adds its own left-out series.
  m.update(snapshot(), detection(five.slice(0, 3)));
  s = await scrape(m);
  assert.equal(value(s, 'vmzombie_findings_dropped_total', { kind: 'domain_crashed' }), 4);
  assert.equal(series(s, 'vmzombie_finding_age_seconds').length, 2);
  // Every kind has the counter, at 0 when nothing was dropped.
  for (const kind of FINDING_KINDS)
    if (kind !== 'domain_crashed') assert.equal(value(s, 'vmzombie_findings_dropped_total', { kind }), 0, kind);
});

test('pending findings are not counted, have no age series and reclaim nothing', async () => {
  const m = metrics();
  m.update(
    snapshot(),
    detection([
      crashed('a', 5000),
      crashed('b', NOW, { pending: true, memoryBytes: 999 }),
      crashed('c', 9990, { pending: true }),
    ]),
  );
  const s = await scrape(m);
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_crashed' }), 1);
  assert.equal(value(s, 'vmzombie_findings_pending', { kind: 'domain_crashed' }), 2);
  assert.deepEqual(
    series(s, 'vmzombie_finding_age_seconds').map((x) => x.labels.domain),
    ['a'],
  );
  assert.equal(value(s, 'vmzombie_reclaimable_memory_bytes', { kind: 'domain_crashed' }), 1024);
  assert.equal(value(s, 'vmzombie_reclaimable_vcpus', { kind: 'domain_crashed' }), 2);
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_paused' }), 0);
});

test("a cleared finding's series is gone on the next update", async () => {
  const m = metrics();
  m.update(snapshot(), detection([crashed('a', 5000), crashed('b', 6000)]));
  assert.equal(series(await scrape(m), 'vmzombie_finding_age_seconds').length, 2);
  m.update(snapshot(), detection([crashed('b', 6000)]));
  let s = await scrape(m);
  assert.deepEqual(
    series(s, 'vmzombie_finding_age_seconds').map((x) => x.labels.domain),
    ['b'],
  );
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_crashed' }), 1);
  m.update(snapshot(), detection([]));
  s = await scrape(m);
  assert.deepEqual(series(s, 'vmzombie_finding_age_seconds'), []);
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_crashed' }), 0);
  assert.equal(value(s, 'vmzombie_reclaimable_vcpus', { kind: 'domain_crashed' }), 0);
});

test('label values with quotes, backslashes, newlines and unicode are escaped and read back intact', async () => {
  const m = metrics();
  const nasty = 'vm "prod"\\backup\nline2 — ümlaut 🧟 {x="y"}';
  const f = crashed('x', 5000, { labels: { domain: nasty, uuid: 'c:\\temp\\', reason: 'a"b' } });
  m.update(snapshot(), detection([{ ...f, subject: `${nasty} (c:\\temp\\)` }]));
  const text = await m.metrics();
  const line = text.split('\n').find((l) => l.startsWith('vmzombie_finding_age_seconds{'));
  assert.ok(line, text);
  assert.ok(!line.includes('\n'));
  assert.ok(line.includes('\\"prod\\"\\\\backup\\nline2'), line);
  const [age] = series(parsePromText(text), 'vmzombie_finding_age_seconds');
  assert.deepEqual(age?.labels, {
    kind: 'domain_crashed',
    subject: `${nasty} (c:\\temp\\)`,
    domain: nasty,
    uuid: 'c:\\temp\\',
    reason: 'a"b',
  });
  assert.equal(age?.value, 5000);
});

test('empty label values are left out of the series', async () => {
  const m = metrics();
  m.update(snapshot(), detection([crashed('x', 5000, { labels: { domain: 'x', uuid: '', reason: 'crashed' } })]));
  const [age] = series(await scrape(m), 'vmzombie_finding_age_seconds');
  assert.deepEqual(age?.labels, { kind: 'domain_crashed', subject: 'x (uuid-x)', domain: 'x', reason: 'crashed' });
});

test('collector health: up, state set, duration, last success, problems (none counted for stale data)', async () => {
  const m = metrics();
  let s = await scrape(m);
  // Before the first collection every enabled collector is down.
  assert.equal(value(s, 'vmzombie_collector_up', { collector: 'libvirt' }), 0);
  assert.equal(value(s, 'vmzombie_collector_up', { collector: 'procfs' }), 0);
  const libvirt = { uri: 'qemu:///system', local: true, domains: [], files: [], problems: ['a', 'b'] };
  m.update(
    snapshot({
      libvirt,
      collectors: {
        libvirt: { ...OK, durationSeconds: 0.5 },
        procfs: {
          state: 'timeout',
          reason: 'timed out after 10s',
          durationSeconds: 10,
          lastSuccessSeconds: 9000,
          stale: true,
        },
      },
      procfs: { bootTimeSeconds: 1, restricted: false, processes: [], openFiles: [], locks: [], problems: ['old'] },
    }),
    detection([], { skipped: { qemu_without_domain: 'needs procfs' }, errors: { domain_paused: 'boom' } }),
  );
  s = await scrape(m);
  assert.equal(value(s, 'vmzombie_collector_up', { collector: 'libvirt' }), 1);
  assert.equal(value(s, 'vmzombie_collector_up', { collector: 'procfs' }), 0);
  assert.deepEqual(
    series(s, 'vmzombie_collector_state', { collector: 'procfs' })
      .map((x) => [x.labels.state, x.value])
      .sort(),
    [
      ['absent', 0],
      ['error', 0],
      ['ok', 0],
      ['timeout', 1],
    ],
  );
  assert.equal(value(s, 'vmzombie_collector_duration_seconds', { collector: 'libvirt' }), 0.5);
  assert.equal(value(s, 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'libvirt' }), NOW);
  assert.equal(value(s, 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'procfs' }), 9000);
  assert.equal(value(s, 'vmzombie_collector_problems', { collector: 'libvirt' }), 2);
  assert.equal(value(s, 'vmzombie_collector_problems', { collector: 'procfs' }), 0);
  assert.equal(value(s, 'vmzombie_detector_up', { kind: 'qemu_without_domain' }), 0);
  assert.equal(value(s, 'vmzombie_detector_up', { kind: 'domain_paused' }), 0);
  assert.equal(value(s, 'vmzombie_detector_up', { kind: 'domain_crashed' }), 1);
  assert.equal(series(s, 'vmzombie_build_info').length, 1);
});

test('libvirt domain series are rebuilt from each snapshot', async () => {
  const m = metrics();
  const dom = (name: string, state: Domain['state']): Domain => ({
    name,
    uuid: `uuid-${name}`,
    id: null,
    state,
    reason: 'unknown',
    autostart: false,
    persistent: true,
    vcpus: 1,
    memoryBytes: 1,
    hugepages: false,
    disks: [],
    hostdevs: [],
    interfaces: [],
    pid: null,
  });
  const section = (domains: Domain[]) => ({ uri: 'qemu:///system', local: true, domains, files: [], problems: [] });
  m.update(
    snapshot({ libvirt: section([dom('a', 'running'), dom('b', 'running'), dom('c', 'shutoff')]) }),
    detection([]),
  );
  let s = await scrape(m);
  assert.equal(value(s, 'vmzombie_libvirt_domains', { state: 'running' }), 2);
  assert.equal(value(s, 'vmzombie_libvirt_domains', { state: 'paused' }), 0);
  assert.equal(series(s, 'vmzombie_libvirt_domain_info').length, 3);
  m.update(snapshot({ libvirt: section([dom('a', 'paused')]) }), detection([]));
  s = await scrape(m);
  assert.deepEqual(
    series(s, 'vmzombie_libvirt_domain_info').map((x) => [x.labels.domain, x.labels.state]),
    [['a', 'paused']],
  );
  assert.equal(value(s, 'vmzombie_libvirt_domains', { state: 'running' }), 0);
  // No libvirt section at all: no domain series (not zeros that would claim "no domains").
  m.update(snapshot({ collectors: {} }), detection([]));
  s = await scrape(m);
  assert.deepEqual(series(s, 'vmzombie_libvirt_domain_info'), []);
  assert.deepEqual(series(s, 'vmzombie_libvirt_domains'), []);
});

test('stale findings (their source is down) still count: a problem nobody can see is not gone', async () => {
  const m = metrics();
  m.update(
    snapshot(),
    detection([crashed('a', 5000, { stale: true })], { skipped: { domain_crashed: 'needs libvirt' } }),
  );
  const s = await scrape(m);
  assert.equal(value(s, 'vmzombie_findings', { kind: 'domain_crashed' }), 1);
  assert.equal(series(s, 'vmzombie_finding_age_seconds').length, 1);
  assert.equal(value(s, 'vmzombie_detector_up', { kind: 'domain_crashed' }), 0);
});

test("a finding's labels are those its catalog entry declares; an undeclared one cannot break the update", async () => {
  const m = metrics();
  const f = crashed('x', 5000, {
    labels: { domain: 'x', uuid: 'u', reason: 'crashed', node: 'n1', image: '/img/x.qcow2' },
  });
  m.update(snapshot(), detection([f]));
  const [age] = series(await scrape(m), 'vmzombie_finding_age_seconds');
  assert.deepEqual(age?.labels, {
    kind: 'domain_crashed',
    subject: 'x (uuid-x)',
    domain: 'x',
    uuid: 'u',
    reason: 'crashed',
  });
});

test('one result is rendered, encoded and compressed once; the next result renders anew', async () => {
  const m = metrics();
  m.update(snapshot(), detection([crashed('a', 5000)]));
  const first = await m.encoded();
  const again = await m.encoded();
  assert.equal(again, first, 'a second scrape of the same result shares its body');
  assert.equal(await first.gzipped(), await again.gzipped(), 'compressed once');
  assert.equal(zlib.gunzipSync(await first.gzipped()).toString('utf8'), first.text);
  assert.equal(value(parsePromText(first.text), 'vmzombie_findings', { kind: 'domain_crashed' }), 1);

  m.update(snapshot(), detection([crashed('a', 5000), crashed('b', 6000)]));
  const next = await m.encoded();
  assert.notEqual(next, first);
  assert.equal(value(parsePromText(next.text), 'vmzombie_findings', { kind: 'domain_crashed' }), 2);
  assert.equal(value(parsePromText(first.text), 'vmzombie_findings', { kind: 'domain_crashed' }), 1, 'kept as sent');
});
