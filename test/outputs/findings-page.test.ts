// The findings page as HTML: human fields per finding, escaping of hostile names, filters and order
// from the query string, and what could not be judged.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { findingsPage, parseFindingsQuery } from '../../src/outputs/findings-page.js';
import { landingPage } from '../../src/outputs/pages.js';
import type { DetectionResult, ReportedFinding } from '../../src/detectors/finding.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';

const NOW = Date.UTC(2026, 11, 1, 19, 16) / 1000;
const HOSTILE = `<script>alert("x")</script> & 'q' ünïcødé`;
const SNAP: Snapshot = {
  schemaVersion: 1,
  hostname: 'hv<1>',
  takenAt: NOW,
  collectors: {
    libvirt: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: NOW, stale: false },
    sysfs: {
      state: 'error',
      reason: 'EACCES: /sys/bus/pci <denied>',
      durationSeconds: 0.01,
      lastSuccessSeconds: null,
      stale: false,
    },
  },
};

const ghost: ReportedFinding = {
  kind: 'qemu_without_domain',
  subject: `${HOSTILE} (pid 27345)`,
  labels: { guest: HOSTILE, uuid: '', pid: '27345' },
  since: NOW - (3 * 3600 + 12 * 60),
  pending: false,
  stale: false,
  related: [],
  reclaimable: { vcpus: 1, memoryBytes: 48 * 1024 * 1024 },
  evidence: {
    pid: 27345,
    comm: 'qemu-system-x86',
    cmdline: `qemu-system-x86_64 -name guest=${HOSTILE} ${'-drive file=/var/lib/x.qcow2 '.repeat(20)}`,
    startedAt: NOW - 11_520,
    rssBytes: 50331648,
    guestName: HOSTILE,
    guestUuid: null,
    definedDomain: null,
    openFiles: ['/var/lib/libvirt/images/a&b.qcow2'],
    disks: [],
  },
};
const paused: ReportedFinding = {
  kind: 'domain_paused',
  subject: 'web-1 (1111)',
  labels: { domain: 'web-1', uuid: '1111', reason: 'user' },
  since: NOW - 86_400 * 2,
  pending: true,
  stale: false,
  related: [],
  reclaimable: { vcpus: 2, memoryBytes: 2 * 1024 ** 3 },
  evidence: { state: 'paused', reason: 'user', vcpus: 2, memoryBytes: 2 * 1024 ** 3, pid: 4242 },
};
const locked: ReportedFinding = {
  kind: 'image_locked_by_foreign_process',
  subject: '/img/victim.qcow2',
  labels: { image: '/img/victim.qcow2', domain: 'db', uuid: '2222' },
  since: NOW - 60,
  pending: false,
  stale: true,
  reclaimable: {},
  related: [{ kind: 'qemu_without_domain', subject: `${HOSTILE} (pid 27345)`, alert: 'VMZombieQemuWithoutDomain' }],
  evidence: {
    image: '/img/victim.qcow2',
    domains: ['db (2222) running'],
    holders: [
      {
        pid: 99,
        comm: 'flock',
        cmdline: 'flock -s /img/victim.qcow2 sleep 600',
        fd: null,
        lockLine: '1: FLOCK  ADVISORY  READ  99 fd:01:1234 0 EOF',
      },
    ],
  },
};
const DETECTION: DetectionResult = {
  findings: [paused, ghost, locked],
  skipped: { vfio_device_without_domain: 'needs sysfs' },
  errors: { tap_without_domain: 'boom <b>' },
  inapplicable: [],
};

function articles(htmlText: string): string[] {
  return [...htmlText.matchAll(/<article class="finding (\w+)" data-kind="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

test('each finding: severity, title, subject, age in words and as a date, marks, holds, command, runbook', () => {
  const page = findingsPage(SNAP, DETECTION, parseFindingsQuery({}));
  assert.match(
    page,
    /<span class="badge sev-warning">warning<\/span><h3>qemu process that no libvirt domain owns<\/h3>/,
  );
  assert.match(page, /for 3 h 12 min, since 2026-12-01 16:04 UTC · holds 1 vCPU, 48 MiB/);
  assert.match(page, /for 2 d, since 2026-11-29 19:16 UTC · holds 2 vCPUs, 2 GiB/);
  assert.match(page, /<span class="badge mark">within grace<\/span>/);
  assert.match(page, /<span class="badge mark">stale: its source is down, last known state<\/span>/);
  assert.match(page, /<pre><code>ps -o pid,lstart,rss,args -p 27345<\/code><\/pre>/);
  assert.match(page, /<a class="runbook" href="\/runbooks\/VMZombieQemuWithoutDomain">/);
  assert.match(page, /<a class="runbook" href="\/runbooks\/VMZombieImageLockedByForeignProcess">/);
  // Evidence reads as a definition list: dates, MiB, code, nested holders; raw JSON behind <details>.
  assert.match(page, /<dt>started at<\/dt><dd>2026-12-01 16:04 UTC<\/dd>/);
  assert.match(page, /<dt>RSS<\/dt><dd>48 MiB \(50331648 bytes\)<\/dd>/);
  assert.match(page, /<dt>lock line<\/dt><dd><code>1: FLOCK  ADVISORY  READ  99 fd:01:1234 0 EOF<\/code><\/dd>/);
  assert.match(page, /<dt>defined domain<\/dt><dd><span class="muted">unknown<\/span><\/dd>/);
  assert.match(page, /<details><summary>Raw JSON<\/summary><pre>\{\n {2}&quot;labels&quot;/);
  assert.match(
    page,
    new RegExp(
      '<p>Related: \\s*<a href="/findings\\?kind=qemu_without_domain">qemu process that no libvirt domain owns</a> ' +
        '<span class="subject-ref">&lt;script&gt;',
    ),
  );
  // Most severe first, then oldest.
  assert.deepEqual(articles(page), [
    'critical image_locked_by_foreign_process',
    'warning domain_paused',
    'warning qemu_without_domain',
  ]);
});

test('names from processes and guests are escaped everywhere, unicode kept', () => {
  const page = findingsPage(SNAP, DETECTION, parseFindingsQuery({}));
  assert.doesNotMatch(page, /<script|<b>|<1>|<denied>/);
  assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; ünïcødé (pid 27345)'));
  assert.ok(page.includes('/var/lib/libvirt/images/a&amp;b.qcow2'));
  assert.ok(page.includes('hv&lt;1&gt;'));
  const landing = landingPage(SNAP, DETECTION, NOW + 30);
  assert.doesNotMatch(landing, /<1>|<denied>|<b>/);
});

test('filters by severity, kind and scope, and orders by age, from the query string', () => {
  assert.deepEqual(articles(findingsPage(SNAP, DETECTION, parseFindingsQuery({ severity: 'warning' }))), [
    'warning domain_paused',
    'warning qemu_without_domain',
  ]);
  assert.deepEqual(articles(findingsPage(SNAP, DETECTION, parseFindingsQuery({ kind: 'domain_paused' }))), [
    'warning domain_paused',
  ]);
  assert.deepEqual(articles(findingsPage(SNAP, DETECTION, parseFindingsQuery({ scope: 'kubevirt' }))), []);
  assert.deepEqual(articles(findingsPage(SNAP, DETECTION, parseFindingsQuery({ sort: 'age' }))), [
    'warning domain_paused',
    'warning qemu_without_domain',
    'critical image_locked_by_foreign_process',
  ]);
  const filtered = findingsPage(SNAP, DETECTION, parseFindingsQuery({ severity: 'warning', scope: '' }));
  assert.match(filtered, /<h2 id="findings">2 of 3 finding\(s\) match<\/h2>/);
  assert.match(filtered, /<option value="warning" selected>warning<\/option>/);
  const odd = findingsPage(SNAP, DETECTION, parseFindingsQuery({ severity: ['bogus<x>', 'critical'], kind: 'nope' }));
  assert.match(odd, /Ignored unknown filter values: severity=bogus&lt;x&gt;, kind=nope/);
});

test('collectors down and detectors that could not judge are listed with their reasons', () => {
  const page = findingsPage(SNAP, DETECTION, parseFindingsQuery({}));
  assert.match(
    page,
    /<li><strong>sysfs<\/strong> <span class="down">error: EACCES: \/sys\/bus\/pci &lt;denied&gt;<\/span><\/li>/,
  );
  assert.match(page, /\(vfio_device_without_domain\)<\/span>:\s+could not run: needs sysfs/);
  assert.match(page, /\(tap_without_domain\)<\/span>:\s+failed: boom &lt;b&gt;/);
  const landing = landingPage(SNAP, DETECTION, NOW + 30);
  assert.match(landing, /Watching host hv&lt;1&gt;\./);
  assert.match(landing, /Last collection 2026-12-01 19:16 UTC \(30 s ago\)/);
  assert.match(landing, /href="\/findings\?severity=critical">critical: 1<\/a>/, 'a stale finding still counts');
  assert.match(landing, /warning: 1<\/a><\/li>/, 'one within grace is not counted');
  assert.match(landing, /all 3<\/a> <span class="muted">\(1 within grace\)/);
});

test("the landing page says when the node agent's CPU budget holds the last result, and only with a budget", () => {
  const hearing = { maxHoldSeconds: 180, hearingChanges: true };
  const held = landingPage(SNAP, DETECTION, NOW + 30, 'off', {
    percentOfOneCore: 0.5,
    heldForSeconds: 23.2,
    ...hearing,
  });
  assert.match(held, /\(30 s ago\)\. Collections are paced to 0\.5 % of one core/);
  assert.match(
    held,
    /core\s\(<code>--collector.cpu-budget<\/code>\): held for 24 s more \(a guest started, stopped or migrated ends a hold; at most 3 min\)\./,
  );
  const due = landingPage(SNAP, DETECTION, NOW + 30, 'off', { percentOfOneCore: 2, heldForSeconds: 0, ...hearing });
  assert.match(due, /paced to 2 % of one core\s\(<code>--collector.cpu-budget<\/code>\): the next scrape collects/);
  const deaf = landingPage(SNAP, DETECTION, NOW + 30, 'off', {
    percentOfOneCore: 0.5,
    heldForSeconds: 10,
    maxHoldSeconds: 60,
    hearingChanges: false,
  });
  assert.match(deaf, /held for 10 s more \(at most 1 min: libvirt(?:'|&#39;)s lifecycle events are not heard\)\./);
  assert.doesNotMatch(landingPage(SNAP, DETECTION, NOW + 30), /paced/);
});
