// Cardinality and exposition under hostile input: 10 000 findings of one kind give 500 series and
// the dropped counter, whatever their names; label values with quotes, backslashes, newlines, tabs
// and unicode read back intact and pass `promtool check metrics`; 100 000 /proc/locks lines parse
// into data only.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { defaultConfig } from '../../src/flags.js';
import type { ReportedFinding } from '../../src/detectors/finding.js';
import type { CollectorStatus, Snapshot } from '../../src/snapshot/snapshot.js';
import { parseProcLocks } from '../../src/sources/procfs/parse.js';
import { parsePromText, series, value } from '../support/prom-text.js';
import { missingCommands, skipWithout } from '../support/components.js';

const noPromtool = skipWithout('promtool', missingCommands('promtool'));

const NOW = 100_000;
const OK: CollectorStatus = { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: NOW, stale: false };
const HOSTILE = ['q"uote', 'back\\slash', 'new\nline', 'tab\there', 'ünï 名 😀', '} x="y', '#', '\\n literal'];

function crashed(i: number): ReportedFinding {
  const name = `${HOSTILE[i % HOSTILE.length]} ${i}`;
  return {
    kind: 'domain_crashed',
    subject: `${name} (uuid-${i})`,
    labels: { domain: name, uuid: `uuid-${i}`, reason: 'crashed' },
    since: NOW - 10_000 - i,
    pending: false,
    stale: false,
    related: [],
    reclaimable: { vcpus: 1, memoryBytes: 1024 },
    evidence: { state: 'crashed', reason: 'crashed', vcpus: 1, memoryBytes: 1024, pid: i },
  } as ReportedFinding;
}

async function exposition(): Promise<string> {
  const m = new ExporterMetrics(defaultConfig(), ['libvirt'], { processMetrics: false });
  const findings = Array.from({ length: 10_000 }, (_, i) => crashed(i));
  const snapshot: Snapshot = { schemaVersion: 1, hostname: 'h', takenAt: NOW, collectors: { libvirt: OK } };
  m.update(snapshot, { findings, skipped: {}, errors: {}, inapplicable: [] });
  return m.metrics();
}

test('10 000 findings of one kind: 500 series (the oldest), 9 500 dropped, hostile names intact', async () => {
  const text = await exposition();
  const samples = parsePromText(text);
  const ages = series(samples, 'vmzombie_finding_age_seconds');
  assert.equal(ages.length, 500);
  assert.equal(value(samples, 'vmzombie_findings', { kind: 'domain_crashed' }), 10_000);
  assert.equal(value(samples, 'vmzombie_findings_dropped_total', { kind: 'domain_crashed' }), 9_500);
  // The oldest are kept: since = NOW - 10000 - i, so i = 9999 down to 9500.
  assert.deepEqual(
    new Set(ages.map((s) => s.labels.uuid)),
    new Set(Array.from({ length: 500 }, (_, j) => `uuid-${9999 - j}`)),
  );
  for (const s of ages) {
    const i = Number(s.labels.uuid?.slice(5));
    assert.equal(s.labels.domain, `${HOSTILE[i % HOSTILE.length]} ${i}`);
  }
  assert.ok(text.length < 300_000, `${text.length} bytes of exposition`);
});

test.skipIf(noPromtool)(
  'the same exposition, hostile label values included, passes promtool check metrics',
  async () => {
    const check = await execa('promtool', ['check', 'metrics'], { input: await exposition(), reject: false });
    assert.deepEqual(`${check.stdout}${check.stderr}`.trim(), '', 'promtool check metrics');
    assert.equal(check.exitCode, 0);
  },
);

test('100 000 /proc/locks lines, some garbage: data and a list of unparsed lines, no throw', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) =>
    i % 1000 === 999
      ? `${i + 1}: GARBAGE ${'x'.repeat(50)}`
      : `${i + 1}: POSIX  ADVISORY  WRITE ${1000 + i} fd:01:${5000 + i} 0 EOF`,
  );
  const { locks, malformed } = parseProcLocks(lines.join('\n'));
  assert.equal(locks.length, 99_900);
  assert.equal(malformed.length, 100);
});
