// Keep markers acknowledge findings (expired ones do not; ones matching nothing are stale), and the
// reclaimed ledger counts what findings held when they ended: gone when the resource left, healthy
// when it is still there; never a finding that was within its grace or could not be judged again.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { FindingsState } from '../../src/engine/findings-state.js';
import { applyKeep } from '../../src/engine/keep.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import { textReport } from '../../src/outputs/report.js';
import { scanExitCode } from '../../src/outputs/scan-exit.js';
import type { KeepMarker } from '../../src/keep/keep-marker.js';
import { parsePromText, value } from '../support/prom-text.js';
import { NOW, domain, image, libvirt, pools, procfs, qemuOf, snapshot } from '../support/node-snapshot.js';

const config = parseArgs(
  ['--detect.grace=0s', '--detect.paused-grace=0s'],
  SOURCES.map((s) => s.name),
).config;
const P = '/var/lib/libvirt/images';
const old = NOW - 30 * 86400;
const stray = image(`${P}/stray.qcow2`, { allocatedBytes: 5 << 20, mtimeSeconds: old });
const paused = domain('frozen', { state: 'paused', reason: 'user', vcpus: 2, memoryBytes: 1 << 30, pid: 500 });
/** The paused guest's qemu: it is there, so only domain_paused is found about the domain. */
const guest = () => procfs([qemuOf(500, paused)]);
const later = (s: ReturnType<typeof snapshot>, seconds: number) => ({ ...s, takenAt: s.takenAt + seconds });
const marker = (over: Partial<KeepMarker>): KeepMarker => ({
  subject: '*',
  kind: null,
  reason: 'on purpose',
  who: 'alice',
  until: null,
  origin: 'keep.yaml entry 1',
  ...over,
});

describe('reclaimed ledger', () => {
  it('an orphan image deleted ends gone with its bytes; a paused domain resumed ends healthy', () => {
    const state = new FindingsState(config);
    const first = state.evaluate(snapshot({ libvirt: libvirt([paused]), procfs: guest(), pools: pools([stray]) }));
    assert.deepEqual(first.findings.map((f) => f.kind).sort(), ['domain_paused', 'orphan_image']);
    assert.deepEqual(first.ended, []);
    const resumed = { ...paused, state: 'running' as const, reason: 'unpaused' };
    const second = state.evaluate(
      later(snapshot({ libvirt: libvirt([resumed]), procfs: guest(), pools: pools([]) }), 60),
    );
    assert.deepEqual(second.findings, []);
    assert.deepEqual(second.ended!.map((e) => [e.finding.kind, e.outcome, e.finding.reclaimable]).sort(), [
      ['domain_paused', 'healthy', { vcpus: 2, memoryBytes: 1 << 30 }],
      ['orphan_image', 'gone', { diskBytes: 5 << 20 }],
    ]);
    // Ended once: the next evaluation has nothing more to count.
    const third = state.evaluate(
      later(snapshot({ libvirt: libvirt([resumed]), procfs: guest(), pools: pools([]) }), 120),
    );
    assert.deepEqual(third.ended, []);
  });

  it('a stray qemu killed but not yet reaped (a zombie) ends gone, not healthy', () => {
    const lost = domain('lost', { state: 'shutoff', reason: 'destroyed' });
    const state = new FindingsState(config);
    const first = state.evaluate(snapshot({ libvirt: libvirt([]), procfs: procfs([qemuOf(900, lost)]) }));
    assert.deepEqual(
      first.findings.map((f) => f.kind),
      ['qemu_without_domain'],
    );
    const zombie = { ...qemuOf(900, lost), state: 'Z', rssBytes: null };
    const second = state.evaluate(later(snapshot({ libvirt: libvirt([]), procfs: procfs([zombie]) }), 60));
    assert.deepEqual(second.findings, []);
    assert.deepEqual(
      second.ended!.map((e) => [e.finding.kind, e.outcome]),
      [['qemu_without_domain', 'gone']],
    );
  });

  it('a finding still within its grace that clears was a state passing through: not counted', () => {
    const graced = parseArgs(
      [],
      SOURCES.map((s) => s.name),
    ).config;
    const state = new FindingsState(graced);
    const first = state.evaluate(snapshot({ libvirt: libvirt([paused]), procfs: guest(), pools: pools([]) }));
    assert.equal(first.findings[0]?.pending, true);
    const second = state.evaluate(
      later(snapshot({ libvirt: libvirt([{ ...paused, state: 'running' }]), procfs: guest(), pools: pools([]) }), 30),
    );
    assert.deepEqual(second.ended, []);
  });

  it('a detector that cannot judge (libvirt down) ends nothing: its findings are kept, stale', () => {
    const state = new FindingsState(config);
    state.evaluate(snapshot({ libvirt: libvirt([paused]), procfs: guest(), pools: pools([stray]) }));
    const down = later(snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([]) }), 60);
    down.collectors.libvirt = {
      state: 'error',
      reason: 'gone',
      durationSeconds: 0,
      lastSuccessSeconds: NOW,
      stale: true,
    };
    const r = state.evaluate(down);
    assert.deepEqual(r.ended, []);
    assert.ok(r.findings.every((f) => f.stale));
  });

  it('the counters add what ended findings held, by kind and outcome', async () => {
    const state = new FindingsState(config);
    const metrics = new ExporterMetrics(config, ['libvirt', 'procfs', 'pools'], { processMetrics: false });
    const s1 = snapshot({ libvirt: libvirt([paused]), procfs: guest(), pools: pools([stray]) });
    metrics.update(s1, state.evaluate(s1));
    const s2 = later(snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([]) }), 60);
    metrics.update(s2, state.evaluate(s2));
    const m = parsePromText(await metrics.metrics());
    assert.equal(value(m, 'vmzombie_reclaimed_disk_bytes_total', { kind: 'orphan_image', outcome: 'gone' }), 5 << 20);
    assert.equal(value(m, 'vmzombie_reclaimed_vcpus_total', { kind: 'domain_paused', outcome: 'gone' }), 2);
    assert.equal(value(m, 'vmzombie_findings_ended_total', { kind: 'domain_paused', outcome: 'gone' }), 1);
  });
});

describe('keep markers', () => {
  const s = snapshot({ libvirt: libvirt([paused]), procfs: guest(), pools: pools([stray]) });

  it('acknowledge what they match; expired ones do not; ones matching nothing are stale', () => {
    const findings = new FindingsState(config).evaluate(s).findings;
    const image = marker({ subject: `${P}/stray*`, kind: 'orphan_image', who: 'alice' });
    const lapsed = marker({ subject: 'frozen (*', until: NOW - 1, origin: 'keep.yaml entry 2' });
    const nothing = marker({ subject: `${P}/gone.qcow2`, origin: 'keep.yaml entry 3' });
    const report = applyKeep(findings, { markers: [image, lapsed, nothing], problems: ['bad entry'] }, NOW);
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
    assert.deepEqual(byKind.orphan_image!.acknowledged, {
      reason: 'on purpose',
      who: 'alice',
      until: null,
      origin: 'keep.yaml entry 1',
    });
    assert.equal(byKind.domain_paused!.acknowledged, undefined, 'an expired marker acknowledges nothing');
    assert.deepEqual(report.expired, [lapsed]);
    assert.deepEqual(report.stale, [nothing]);
    assert.deepEqual(report.problems, ['bad entry']);
  });

  it('an acknowledged finding is shown with who and why, counted as kept, and not in the exit code', async () => {
    const state = new FindingsState(config);
    const detection = state.evaluate(s);
    detection.keep = applyKeep(
      detection.findings,
      { markers: [marker({ subject: 'frozen (*', until: NOW + 86400, who: 'bob' })], problems: [] },
      NOW,
    );
    const metrics = new ExporterMetrics(config, ['libvirt', 'procfs', 'pools'], { processMetrics: false });
    metrics.update(s, detection);
    const m = parsePromText(await metrics.metrics());
    const subject = detection.findings.find((f) => f.kind === 'domain_paused')!.subject;
    assert.equal(value(m, 'vmzombie_finding_acknowledged', { kind: 'domain_paused', subject }), 1);
    assert.equal(value(m, 'vmzombie_reclaimable_vcpus', { kind: 'domain_paused' }), 2, 'still counted');
    assert.equal(value(m, 'vmzombie_reclaimable_acknowledged_vcpus', { kind: 'domain_paused' }), 2);
    assert.equal(value(m, 'vmzombie_keep_markers', { state: 'active' }), 1);
    const json = findingsJson(s, detection) as { findings: Array<{ kind: string; acknowledged: unknown }> };
    assert.deepEqual(json.findings.find((f) => f.kind === 'domain_paused')!.acknowledged, {
      reason: 'on purpose',
      who: 'bob',
      until: new Date((NOW + 86400) * 1000).toISOString(),
      origin: 'keep.yaml entry 1',
    });
    assert.match(textReport(s, detection, { colour: false }), /acknowledged by bob, until .*: on purpose/);
    // Only the orphan image counts: an info finding, so exit 1 (warning/info), not clean.
    assert.equal(scanExitCode(s, detection), 1);
    const onlyPaused = { ...detection, findings: detection.findings.filter((f) => f.kind === 'domain_paused') };
    assert.equal(scanExitCode(s, onlyPaused), 0);
  });
});
