// Benchmark of the operator outputs on a host with many findings: time to render /findings (all,
// and filtered), the landing page, the `scan` text report and the JSON, and the page size.
// Bounded: a fixed number of findings and rounds; stops by itself.
//   node --import tsx scripts/bench-findings-page.ts [--findings=2000] [--rounds=20]
import type { DetectionResult, ReportedFinding } from '../src/detectors/finding.js';
import type { Snapshot } from '../src/snapshot/snapshot.js';
import { findingsPage, parseFindingsQuery } from '../src/outputs/findings-page.js';
import { landingPage } from '../src/outputs/pages.js';
import { textReport } from '../src/outputs/report.js';
import { findingsJson } from '../src/outputs/findings-json.js';

const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const N = Math.min(arg('findings', 2000), 50_000);
const ROUNDS = Math.min(arg('rounds', 20), 200);
const NOW = Math.floor(Date.now() / 1000);

const snapshot: Snapshot = {
  schemaVersion: 1,
  hostname: 'hv-bench',
  takenAt: NOW,
  collectors: { libvirt: { state: 'ok', reason: null, durationSeconds: 0.2, lastSuccessSeconds: NOW, stale: false } },
};
const findings: ReportedFinding[] = [];
for (let i = 0; i < N; i++) {
  const pid = 10_000 + i;
  if (i % 2 === 0) {
    findings.push({
      kind: 'qemu_without_domain',
      subject: `guest-${i} (pid ${pid})`,
      labels: { guest: `guest-${i}`, uuid: '', pid: String(pid) },
      since: NOW - i * 37,
      pending: false,
      stale: false,
      related: [],
      reclaimable: { vcpus: 2, memoryBytes: 2 ** 31 },
      evidence: {
        pid,
        comm: 'qemu-system-x86',
        cmdline:
          `/usr/bin/qemu-system-x86_64 -name guest=guest-${i} -m 2048 -smp 2 ` +
          '-drive file=/var/lib/libvirt/images/x.qcow2 '.repeat(6),
        startedAt: NOW - i * 37,
        rssBytes: 2 ** 30,
        guestName: `guest-${i}`,
        guestUuid: null,
        definedDomain: null,
        openFiles: [`/var/lib/libvirt/images/guest-${i}.qcow2`],
        disks: [],
      },
    });
  } else {
    findings.push({
      kind: 'image_locked_by_foreign_process',
      subject: `/var/lib/libvirt/images/db-${i}.qcow2`,
      labels: { image: `/var/lib/libvirt/images/db-${i}.qcow2`, domain: `db-${i}`, uuid: `u-${i}` },
      since: NOW - i * 11,
      pending: i % 10 === 1,
      stale: false,
      related: [],
      reclaimable: {},
      evidence: {
        image: `/var/lib/libvirt/images/db-${i}.qcow2`,
        domains: [`db-${i} (u-${i}) running`],
        holders: [
          {
            pid,
            comm: 'flock',
            cmdline: `flock -s /var/lib/libvirt/images/db-${i}.qcow2 sleep 600`,
            fd: null,
            lockLine: `1: FLOCK ADVISORY READ ${pid} fd:01:${i} 0 EOF`,
          },
        ],
      },
    });
  }
}
const detection: DetectionResult = { findings, skipped: {}, errors: {}, inapplicable: [] };

function time(name: string, fn: () => string): void {
  let size = 0;
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    size = fn().length;
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  console.log(
    `${name.padEnd(28)} median ${median.toFixed(1).padStart(7)} ms  ` +
      `max ${(samples.at(-1) ?? 0).toFixed(1).padStart(7)} ms  ${(size / 2 ** 20).toFixed(2)} MiB`,
  );
}

console.log(`${N} findings, ${ROUNDS} rounds each`);
time('/findings (all)', () => findingsPage(snapshot, detection, parseFindingsQuery({})));
time('/findings?severity=critical', () =>
  findingsPage(snapshot, detection, parseFindingsQuery({ severity: 'critical' })),
);
time('/findings?sort=age', () => findingsPage(snapshot, detection, parseFindingsQuery({ sort: 'age' })));
time('/ (landing)', () => landingPage(snapshot, detection, NOW));
time('scan text report', () => textReport(snapshot, detection));
time('/findings.json', () => JSON.stringify(findingsJson(snapshot, detection), null, 2));
