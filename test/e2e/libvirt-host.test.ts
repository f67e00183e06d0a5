// End to end on a real libvirtd + QEMU (TCG): builds each situation for real, scrapes /metrics over
// HTTP and asserts the exact findings; healthy look-alikes (a running domain's own locks, two guests
// sharing a base image, an awkward domain name) must stay silent.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { series, value, type Sample } from '../support/prom-text.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { captureSnapshot } from '../support/capture.js';

const NOW_GRACES = [
  '--detect.grace=0s',
  '--detect.paused-grace=0s',
  '--detect.shutdown-grace=0s',
  '--detect.autostart-grace=0s',
  '--collector.min-interval=0s',
];

function findingSubjects(samples: Sample[]): string[] {
  return series(samples, 'vmzombie_finding_age_seconds')
    .map((s) => `${s.labels.kind} ${s.labels.subject}`)
    .sort();
}

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'flock'),
);
const noPromtool = skipWithout('promtool', missingCommands('promtool'));

describe.skipIf(unavailable)('libvirt host, real libvirtd and qemu', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  const ids: Record<string, string> = {};
  const pids: Record<string, number> = {};
  const images: Record<string, string> = {};
  let oddName = '';

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    const t = host.tag;
    oddName = `vmzt ${t} "quoted" $HOME 'x' ünïcødé`;
    images.base = await host.createImage('base.qcow2');
    images.healthy = await host.createImage('healthy.qcow2', { backing: images.base });
    images.sibling = await host.createImage('sibling.qcow2', { backing: images.base });
    images.odd = await host.createImage('odd.qcow2');
    images.victim = await host.createImage('victim.qcow2');
    images.off = await host.createImage('off.qcow2');
    images.stray = await host.createImage('stray.qcow2');
    images.paused = await host.createImage('paused.qcow2');
    images.auto = await host.createImage('auto.qcow2');
    images.crash = await host.createImage('crash.qcow2');

    ids.healthy = await host.define({ name: `vmzt-${t}-healthy`, disks: [{ path: images.healthy }] });
    ids.sibling = await host.define({ name: `vmzt-${t}-sibling`, disks: [{ path: images.sibling }] });
    ids.odd = await host.define({ name: oddName, disks: [{ path: images.odd }] });
    ids.victim = await host.define({ name: `vmzt-${t}-victim`, disks: [{ path: images.victim }] });
    ids.off = await host.define({ name: `vmzt-${t}-off`, disks: [{ path: images.off }] });
    ids.paused = await host.define({
      name: `vmzt-${t}-paused`,
      disks: [{ path: images.paused }],
      memoryMiB: 48,
      vcpus: 2,
    });
    ids.auto = await host.define({ name: `vmzt-${t}-auto`, disks: [{ path: images.auto }] });
    ids.crash = await host.define({ name: `vmzt-${t}-crash`, disks: [{ path: images.crash }] });
    for (const k of ['healthy', 'sibling', 'odd', 'victim', 'paused', 'crash'])
      await host.virsh('start', ids[k] as string);
    await host.virsh('suspend', ids.paused as string);
    await host.virsh('autostart', ids.auto as string);
    // A guest killed under libvirt: "shut off (crashed)".
    process.kill(await host.qemuPid(ids.crash as string), 'SIGKILL');
    // A qemu libvirt does not know, holding the image of the shut-off domain.
    pids.strayOnOff = await host.startStrayQemu(`vmzt-${t}-lost`, images.off, { vcpus: 2, memoryMiB: 40 });
    // Another process (a "backup tool") holding a lock on a running guest's disk.
    pids.flock = await host.holdFlock(images.victim);
    // Wait for libvirt to see the crash.
    for (let i = 0; i < 50 && !(await host.virsh('domstate', '--reason', ids.crash as string)).includes('crashed'); i++)
      await new Promise((r) => setTimeout(r, 100));
  });

  afterAll(async () => {
    await exporter?.stop();
    await host?.release();
  });

  it('reports exactly the zombies that were built, and nothing about the healthy guests', async () => {
    // The raw snapshot is captured as a fixture below.
    exporter = await startExporter([...NOW_GRACES, '--web.enable-snapshot', '--web.snapshot-unredacted']);
    const samples = await exporter.scrape();
    assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'libvirt' }), 1);
    assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
    const t = host.tag;
    assert.deepEqual(
      findingSubjects(samples),
      [
        `autostart_not_running vmzt-${t}-auto (${ids.auto})`,
        `domain_crashed vmzt-${t}-crash (${ids.crash})`,
        `domain_paused vmzt-${t}-paused (${ids.paused})`,
        `image_locked_by_foreign_process ${images.victim}`,
        `image_locked_while_domain_inactive ${images.off}`,
        `qemu_without_domain vmzt-${t}-lost (pid ${pids.strayOnOff})`,
      ].sort(),
    );

    const stray = series(samples, 'vmzombie_finding_age_seconds', { kind: 'qemu_without_domain' })[0]!;
    assert.deepEqual(
      { guest: stray.labels.guest, pid: stray.labels.pid },
      { guest: `vmzt-${t}-lost`, pid: String(pids.strayOnOff) },
    );
    assert.equal(value(samples, 'vmzombie_reclaimable_vcpus', { kind: 'qemu_without_domain' }), 2);
    assert.ok(
      (value(samples, 'vmzombie_reclaimable_memory_bytes', { kind: 'qemu_without_domain' }) ?? 0) > 1024 * 1024,
      'RSS of the stray qemu',
    );
    assert.equal(value(samples, 'vmzombie_reclaimable_memory_bytes', { kind: 'domain_paused' }), 48 * 1024 * 1024);
    assert.equal(value(samples, 'vmzombie_reclaimable_vcpus', { kind: 'domain_paused' }), 2);
    assert.equal(series(samples, 'vmzombie_finding_age_seconds', { kind: 'domain_paused' })[0]?.labels.reason, 'user');
    assert.equal(
      series(samples, 'vmzombie_finding_age_seconds', { kind: 'domain_crashed' })[0]?.labels.reason,
      'crashed',
    );
    for (const kind of ['domain_without_process', 'domain_stuck_shutting_down'])
      assert.equal(value(samples, 'vmzombie_findings', { kind }), 0);

    // The awkward name survives escaping, and its running guest is healthy.
    const odd = series(samples, 'vmzombie_libvirt_domain_info', { uuid: ids.odd as string });
    assert.deepEqual(
      odd.map((s) => [s.labels.domain, s.labels.state, s.labels.reason]),
      [[oddName, 'running', 'booted']],
    );
    assert.equal(
      value(samples, 'vmzombie_libvirt_domain_info', { uuid: ids.auto as string, autostart: 'true', state: 'shutoff' }),
      1,
    );
    await captureSnapshot('libvirt-host', (await exporter.get('/snapshot.json')).body, NOW_GRACES, [
      [host.workDir, '/srv/vmzt-e2e'],
      [`vmzt-${host.tag}-`, 'vmzt-e2e-'],
    ]);
  });

  it('names the holder of each foreign lock as evidence', async () => {
    const { body } = await exporter.get('/findings.json');
    const findings = (
      JSON.parse(body) as {
        findings: Array<{
          kind: string;
          evidence: { holders?: Array<{ pid: number; comm: string; lockLine: string }> };
        }>;
      }
    ).findings;
    const foreign = findings.find((f) => f.kind === 'image_locked_by_foreign_process');
    assert.deepEqual(
      foreign?.evidence.holders?.map((h) => [h.pid, h.comm]),
      [[pids.flock, 'flock']],
    );
    assert.match(foreign?.evidence.holders?.[0]?.lockLine ?? '', /FLOCK\s+ADVISORY\s+READ/);
    const inactive = findings.find((f) => f.kind === 'image_locked_while_domain_inactive');
    // OFD locks show pid -1 in /proc/locks; the holder comes from the stray qemu's fdinfo.
    assert.deepEqual(
      inactive?.evidence.holders?.map((h) => h.pid),
      [pids.strayOnOff],
    );
    assert.match(inactive?.evidence.holders?.[0]?.lockLine ?? '', /OFDLCK\s+ADVISORY\s+READ\s+-1 /);
  });

  it.skipIf(noPromtool)('the output passes promtool check metrics', async () => {
    const { body } = await exporter.get('/metrics');
    const result = await execa('promtool', ['check', 'metrics'], { input: body, reject: false });
    const problems = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(problems, [], 'promtool found problems');
    // A promtool that did not run (not found, killed) prints nothing: that is no pass.
    assert.equal(result.exitCode, 0, result.message);
  });

  it('holds new findings back during their grace period', async () => {
    const graced = await startExporter(['--collector.min-interval=0s']);
    try {
      const samples = await graced.scrape();
      // The stray qemu started seconds ago: pending under the default 1m grace, not reported.
      assert.equal(value(samples, 'vmzombie_findings', { kind: 'qemu_without_domain' }), 0);
      assert.equal(value(samples, 'vmzombie_findings_pending', { kind: 'qemu_without_domain' }), 1);
      assert.equal(value(samples, 'vmzombie_findings', { kind: 'domain_paused' }), 0);
      // libvirtd may have just started: autostart is not judged within --detect.autostart-grace of it.
      assert.equal(value(samples, 'vmzombie_findings', { kind: 'autostart_not_running' }), 0);
    } finally {
      await graced.stop();
    }
  });

  it('forgets a finding when it clears', async () => {
    await host.virsh('resume', ids.paused as string);
    const samples = await exporter.scrape();
    assert.equal(value(samples, 'vmzombie_findings', { kind: 'domain_paused' }), 0);
    assert.equal(series(samples, 'vmzombie_finding_age_seconds', { kind: 'domain_paused' }).length, 0);
  });

  it('a hung libvirtd marks only libvirt down, keeps its last data stale, and the scrape returns', async () => {
    const libvirtd = Number((await execa('pgrep', ['-x', 'libvirtd'])).stdout.trim().split('\n')[0]);
    const hung = await startExporter([...NOW_GRACES, '--collector.timeout=2s']);
    try {
      const before = await hung.scrape();
      assert.equal(value(before, 'vmzombie_findings', { kind: 'qemu_without_domain' }), 1);
      process.kill(libvirtd, 'SIGSTOP');
      // A qemu started while libvirt cannot answer must not be blamed on stale libvirt data.
      pids.second = await host.startStrayQemu(`vmzt-${host.tag}-second`, await host.createImage('second.qcow2'));
      const started = Date.now();
      const during = await hung.scrape();
      const took = Date.now() - started;
      assert.ok(took < 8000, `scrape took ${took} ms with libvirtd stopped`);
      assert.equal(value(during, 'vmzombie_collector_up', { collector: 'libvirt' }), 0);
      assert.equal(value(during, 'vmzombie_collector_state', { collector: 'libvirt', state: 'timeout' }), 1);
      assert.equal(value(during, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
      assert.equal(value(during, 'vmzombie_detector_up', { kind: 'qemu_without_domain' }), 0);
      // Last known findings are kept; the new qemu is not judged against stale domains.
      assert.deepEqual(
        series(during, 'vmzombie_finding_age_seconds', { kind: 'qemu_without_domain' }).map((s) => s.labels.pid),
        [String(pids.strayOnOff)],
      );
      const { body } = await hung.get('/');
      assert.match(body, /timed out after 2s/);
    } finally {
      process.kill(libvirtd, 'SIGCONT');
    }
    try {
      // Recovery: the killed shell is replaced and both strays are now reported.
      let after: Sample[] = [];
      for (let i = 0; i < 20; i++) {
        after = await hung.scrape();
        if (value(after, 'vmzombie_collector_up', { collector: 'libvirt' }) === 1) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(value(after, 'vmzombie_collector_up', { collector: 'libvirt' }), 1);
      assert.equal(value(after, 'vmzombie_findings', { kind: 'qemu_without_domain' }), 2);
      // The timed-out virsh was killed, not left behind.
      const virshes = await execa('pgrep', ['-P', String(process.pid), '-x', 'virsh'], { reject: false });
      assert.ok(virshes.stdout.trim().split('\n').filter(Boolean).length <= 2, `virsh processes: ${virshes.stdout}`);
    } finally {
      await hung.stop();
    }
  });
});
