// The `scan` text report: order, human fields, colour, and that text taken from processes
// cannot put control characters on the operator's terminal.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { printable, textReport } from '../../src/outputs/report.js';
import type { ReportedFinding } from '../../src/detectors/finding.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';

const NOW = 1763884800;
const SNAP: Snapshot = {
  schemaVersion: 1,
  hostname: 'hv1',
  takenAt: NOW,
  collectors: {
    libvirt: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: NOW, stale: false },
    procfs: {
      state: 'timeout',
      reason: 'timed out after 10s',
      durationSeconds: 10,
      lastSuccessSeconds: NOW - 60,
      stale: true,
    },
  },
};

function stray(
  pid: number,
  name: string,
  cmdline: string,
  since: number,
  extra: Partial<ReportedFinding> = {},
): ReportedFinding {
  return {
    kind: 'qemu_without_domain',
    subject: `${name} (pid ${pid})`,
    labels: { guest: name, uuid: '', pid: String(pid) },
    since,
    pending: false,
    stale: false,
    related: [],
    reclaimable: { vcpus: 1, memoryBytes: 0 },
    evidence: {
      pid,
      comm: 'qemu-system-x86',
      cmdline,
      startedAt: since,
      rssBytes: null,
      guestName: name,
      guestUuid: null,
      definedDomain: null,
      openFiles: ['/img/a.qcow2'],
      disks: [],
    },
    ...extra,
  } as ReportedFinding;
}

const lock = {
  kind: 'image_locked_by_foreign_process',
  subject: '/img/v.qcow2',
  labels: { image: '/img/v.qcow2', domain: 'db', uuid: 'u' },
  since: NOW - 4000,
  pending: false,
  stale: false,
  reclaimable: {},
  related: [{ kind: 'qemu_without_domain', subject: 'b (pid 20)', alert: 'VMZombieQemuWithoutDomain' }],
  evidence: {
    image: '/img/v.qcow2',
    domains: ['db (u) running', 'x'],
    holders: [
      {
        pid: 9,
        comm: 'flock',
        cmdline: 'flock -s /img/v.qcow2 sleep 600',
        fd: null,
        lockLine: '1: FLOCK ADVISORY READ 9 fd:01:1 0 EOF',
      },
    ],
  },
} as ReportedFinding;
const at = (t: number) => `${new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const DETECTION = {
  findings: [
    stray(20, 'b', 'qemu -name guest=b', NOW - 90, { stale: true }),
    stray(10, 'a', 'qemu -name guest=a', NOW - 7200, { pending: true }),
    lock,
  ],
  skipped: { qemu_without_domain: 'needs procfs' },
  errors: { domain_paused: 'boom' },
  inapplicable: [],
};

test('most severe first; per finding severity, title, age, marks, holds, evidence, first command, runbook', () => {
  assert.equal(
    textReport(SNAP, DETECTION),
    `vmzombie scan of hv1 at 2025-11-23 08:00 UTC
  collector libvirt: ok
  collector procfs: timeout (stale) — timed out after 10s
  detector qemu_without_domain could not run: needs procfs
  detector domain_paused failed: boom

3 finding(s):

CRITICAL  running domain's image locked by another process  (image_locked_by_foreign_process)
  /img/v.qcow2
  for 1 h 6 min, since ${at(NOW - 4000)}
    related: qemu_without_domain b (pid 20)
    image: /img/v.qcow2
    domains: db (u) running
      x
    holders: - PID: 9
        comm: flock
        command line: flock -s /img/v.qcow2 sleep 600
        fd: unknown
        lock line: 1: FLOCK ADVISORY READ 9 fd:01:1 0 EOF
  first, run: lsof /img/v.qcow2
  runbook: /runbooks/VMZombieImageLockedByForeignProcess

WARNING  qemu process that no libvirt domain owns  (qemu_without_domain)
  a (pid 10)
  for 2 h, since 2025-11-23 06:00 UTC; holds 1 vCPU  [within grace]
    PID: 10
    comm: qemu-system-x86
    command line: qemu -name guest=a
    started at: 2025-11-23 06:00 UTC
    RSS: unknown
    guest name: a
    guest UUID: unknown
    defined domain: unknown
    open files: /img/a.qcow2
    disks: none
  first, run: ps -o pid,lstart,rss,args -p 10
  runbook: /runbooks/VMZombieQemuWithoutDomain

WARNING  qemu process that no libvirt domain owns  (qemu_without_domain)
  b (pid 20)
  for 1 min 30 s, since 2025-11-23 07:58 UTC; holds 1 vCPU  [stale: its source is down, last known state]
    PID: 20
    comm: qemu-system-x86
    command line: qemu -name guest=b
    started at: 2025-11-23 07:58 UTC
    RSS: unknown
    guest name: b
    guest UUID: unknown
    defined domain: unknown
    open files: /img/a.qcow2
    disks: none
  first, run: ps -o pid,lstart,rss,args -p 20
  runbook: /runbooks/VMZombieQemuWithoutDomain
`,
  );
});

test('colour marks severities only when asked, and data never brings its own escape sequences', () => {
  const plain = textReport(SNAP, DETECTION, { colour: false });
  assert.ok(!plain.includes('\u001b'));
  const coloured = textReport(SNAP, DETECTION, { colour: true });
  assert.ok(coloured.includes('\u001b[31;1mCRITICAL\u001b[0m  running domain'), coloured);
  assert.ok(coloured.includes('\u001b[33;1mWARNING\u001b[0m'));
  assert.equal(coloured.replace(/\u001b\[[\d;]*m/g, ''), plain);
});

test('no findings', () => {
  assert.match(textReport(SNAP, { findings: [], skipped: {}, errors: {}, inapplicable: [] }), /\n\nNo findings\.\n$/);
});

test('terminal escape sequences and newlines from a process never reach the terminal raw', () => {
  const evil = 'x\u001b]0;owned\u0007\u001b[2J\nfake: line\r\u009b31m\u2028';
  const text = textReport(
    { ...SNAP, hostname: `h\u001b[1m` },
    { findings: [stray(30, evil, `qemu -name guest=${evil}`, NOW - 10)], skipped: {}, errors: {}, inapplicable: [] },
  );
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(text), JSON.stringify(text));
  const escaped = 'x\\u001b]0;owned\\u0007\\u001b[2J\\nfake: line\\r\\u009b31m\\u2028';
  assert.ok(text.includes(`  ${escaped} (pid 30)\n  for 10 s, since `), text);
  assert.ok(text.includes(`    command line: qemu -name guest=${escaped}\n`), text);
  assert.ok(text.startsWith('vmzombie scan of h\\u001b[1m at '));
  // Only the report's own line breaks remain.
  assert.ok(!text.includes('\nfake: line'));
});

test('printable leaves ordinary text, unicode included, alone', () => {
  assert.equal(printable('web-1 "prod" ümlaut 🧟 /img/a b.qcow2'), 'web-1 "prod" ümlaut 🧟 /img/a b.qcow2');
  assert.equal(printable('a\tb'), 'a\\tb');
});
