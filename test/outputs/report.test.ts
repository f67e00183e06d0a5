// The `scan` text report: grouping and order, annotations, and that text taken from processes
// cannot put control characters on the operator's terminal.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { printable, textReport } from '../../src/outputs/report.js';
import type { ReportedFinding } from '../../src/detectors/finding.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';

const NOW = 1763884800;
const SNAP: Snapshot = {
  schemaVersion: 1, hostname: 'hv1', takenAt: NOW,
  collectors: {
    libvirt: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: NOW, stale: false },
    procfs: { state: 'timeout', reason: 'timed out after 10s', durationSeconds: 10, lastSuccessSeconds: NOW - 60, stale: true },
  },
};

function stray(pid: number, name: string, cmdline: string, since: number, extra: Partial<ReportedFinding> = {}): ReportedFinding {
  return {
    kind: 'qemu_without_domain', subject: `${name} (pid ${pid})`, labels: { guest: name, uuid: '', pid: String(pid) }, since,
    pending: false, stale: false, related: [], reclaimable: { vcpus: 1, memoryBytes: 0 },
    evidence: { pid, comm: 'qemu-system-x86', cmdline, startedAt: since, rssBytes: null, guestName: name, guestUuid: null, definedDomain: null, openFiles: ['/img/a.qcow2'], disks: [] },
    ...extra,
  } as ReportedFinding;
}

test('findings grouped by kind, sorted by subject, with age, grace/stale notes, reclaimable and evidence', () => {
  const text = textReport(SNAP, {
    findings: [stray(20, 'b', 'qemu -name guest=b', NOW - 90, { stale: true }), stray(10, 'a', 'qemu -name guest=a', NOW - 7200, { pending: true })],
    skipped: { qemu_without_domain: 'needs procfs' }, errors: { domain_paused: 'boom' }, inapplicable: [],
  });
  assert.equal(text, `vmzombie scan of hv1 at 2025-11-23T08:00:00.000Z
  collector libvirt: ok
  collector procfs: timeout (stale) — timed out after 10s
  detector qemu_without_domain not run: needs procfs
  detector domain_paused not run: boom

2 finding(s):

qemu_without_domain — qemu process that no libvirt domain owns (alert VMZombieQemuWithoutDomain)
  a (pid 10)  for 2h, within grace
    reclaimable: vcpus=1
    pid: 10
    comm: qemu-system-x86
    cmdline: qemu -name guest=a
    startedAt: ${NOW - 7200}
    rssBytes: null
    guestName: a
    guestUuid: null
    definedDomain: null
    openFiles: ["/img/a.qcow2"]
    disks: []
  b (pid 20)  for 1m30s, stale
    reclaimable: vcpus=1
    pid: 20
    comm: qemu-system-x86
    cmdline: qemu -name guest=b
    startedAt: ${NOW - 90}
    rssBytes: null
    guestName: b
    guestUuid: null
    definedDomain: null
    openFiles: ["/img/a.qcow2"]
    disks: []
`);
});

test('no findings', () => {
  assert.match(textReport(SNAP, { findings: [], skipped: {}, errors: {}, inapplicable: [] }), /\n\nNo findings\.\n$/);
});

test('terminal escape sequences and newlines from a process never reach the terminal raw', () => {
  const evil = 'x\u001b]0;owned\u0007\u001b[2J\nfake: line\r\u009b31m\u2028';
  const text = textReport({ ...SNAP, hostname: `h\u001b[1m` }, { findings: [stray(30, evil, `qemu -name guest=${evil}`, NOW - 10)], skipped: {}, errors: {}, inapplicable: [] });
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(text), JSON.stringify(text));
  const escaped = 'x\\u001b]0;owned\\u0007\\u001b[2J\\nfake: line\\r\\u009b31m\\u2028';
  assert.ok(text.includes(`  ${escaped} (pid 30)  for 10s\n`), text);
  assert.ok(text.includes(`    cmdline: qemu -name guest=${escaped}\n`), text);
  assert.ok(text.startsWith('vmzombie scan of h\\u001b[1m at '));
  // Only the report's own line breaks remain.
  assert.ok(!text.includes('\nfake: line'));
});

test('printable leaves ordinary text, unicode included, alone', () => {
  assert.equal(printable('web-1 "prod" ümlaut 🧟 /img/a b.qcow2'), 'web-1 "prod" ümlaut 🧟 /img/a b.qcow2');
  assert.equal(printable('a\tb'), 'a\\tb');
});
