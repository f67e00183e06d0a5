// End to end on a real libvirtd + QEMU (TCG) with real qcow2 chains made by qemu-img: orphan
// images, a missing backing link and a deep chain are reported exactly; every link of a defined
// domain's chain (live XML or qcow2 header) stays silent; with libvirt unanswering, no image is
// called an orphan. The real /sys of this machine (no vfio-pci) gives no device findings.
import { DETECTORS } from '../../src/catalog/catalog.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { series, value, type Sample } from '../support/prom-text.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { createQcow2 } from '../support/qemu-img.js';
import { SysfsTree } from '../support/sysfs-tree.js';

const PORT = 18311;
// The kinds the pools and sysfs collectors feed, from the catalog.
const NODE_KINDS: string[] = DETECTORS.filter((d) => d.needs.includes('pools') || d.needs.includes('sysfs')).map(
  (d) => d.kind,
);

function nodeFindings(samples: Sample[]): string[] {
  return series(samples, 'vmzombie_finding_age_seconds')
    .filter((s) => NODE_KINDS.includes(s.labels.kind ?? ''))
    .map((s) => `${s.labels.kind} ${s.labels.subject}`)
    .sort();
}

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'flock', 'ip'),
);
const noPromtool = skipWithout('promtool', missingCommands('promtool'));

describe.skipIf(unavailable)('node collectors on a real libvirtd with real qcow2 chains', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  let pool: string;
  const ids: Record<string, string> = {};
  const names: Record<string, string> = {};
  const img = (name: string) => path.join(pool, name);
  const taps: Record<string, string> = {};
  let strayPid = 0;

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    pool = path.join(host.workDir, 'pool');
    const outside = path.join(host.workDir, 'outside');
    await mkdir(pool);
    await mkdir(outside);
    for (const k of ['web', 'run', 'broken', 'deep']) names[k] = `vmzt-${host.tag}-${k}`;

    // A shut-off domain on an overlay whose base is named relatively in its header.
    await createQcow2(img('base.qcow2'));
    await createQcow2(img('web.qcow2'), { backing: 'base.qcow2' });
    ids.web = await host.define({ name: names.web as string, disks: [{ path: img('web.qcow2') }] });
    await host.virsh('snapshot-create-as', ids.web as string, 'before-upgrade');
    // A running domain whose active layer lives outside the pool, on a base inside it.
    await createQcow2(img('run-base.qcow2'));
    await createQcow2(path.join(outside, 'run-top.qcow2'), { backing: img('run-base.qcow2') });
    ids.run = await host.define({ name: names.run as string, disks: [{ path: path.join(outside, 'run-top.qcow2') }] });
    await host.virsh('start', ids.run as string);
    // A chain that lost its base.
    await createQcow2(img('broken-base.qcow2'));
    await createQcow2(img('broken.qcow2'), { backing: img('broken-base.qcow2') });
    await rm(img('broken-base.qcow2'));
    ids.broken = await host.define({ name: names.broken as string, disks: [{ path: img('broken.qcow2') }] });
    // Ten layers: deeper than --detect.max-chain-depth=8.
    await createQcow2(img('deep-0.qcow2'));
    for (let i = 1; i < 10; i++) await createQcow2(img(`deep-${i}.qcow2`), { backing: `deep-${i - 1}.qcow2` });
    ids.deep = await host.define({ name: names.deep as string, disks: [{ path: img('deep-9.qcow2') }] });
    // Leftovers no domain references: a lone image, and an overlay with its own base.
    await createQcow2(img('orphan.qcow2'));
    await createQcow2(img('orphan-base.qcow2'));
    await createQcow2(img('orphan-top.qcow2'), { backing: img('orphan-base.qcow2') });

    // Taps: one a running domain owns (libvirt names it vnetN), one left behind persistent and unheld
    // under a libvirt-style name, one held by a qemu no domain owns.
    names.net = `vmzt-${host.tag}-net`;
    const netXml = path.join(host.workDir, 'net.xml');
    await writeFile(
      netXml,
      `<domain type='qemu'><name>${names.net}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><interface type='ethernet'><mac address='52:54:00:7a:00:01'/><model type='virtio'/></interface>
      </devices></domain>`,
    );
    await host.virsh('define', netXml);
    ids.net = (await host.virsh('domuuid', names.net)).trim();
    await host.virsh('start', ids.net);
    taps.left = `vnet${9000 + Math.floor(Math.random() * 999)}`;
    await execa('ip', ['tuntap', 'add', 'dev', taps.left, 'mode', 'tap'], { timeout: 10_000 });
    taps.stray = `vmzs-${host.tag}`;
    const pidfile = path.join(host.workDir, 'tap-stray.pid');
    await execa(
      'qemu-system-x86_64',
      [
        '-name',
        `guest=vmzt-${host.tag}-tapstray`,
        '-machine',
        'pc',
        '-m',
        '32',
        '-display',
        'none',
        '-daemonize',
        '-pidfile',
        pidfile,
        '-netdev',
        `tap,id=n0,ifname=${taps.stray},script=no,downscript=no`,
        '-device',
        'virtio-net-pci,netdev=n0',
      ],
      { timeout: 30_000 },
    );
    strayPid = Number((await readFile(pidfile, 'utf8')).trim());
    host.track(strayPid);
  });

  afterAll(async () => {
    await exporter?.stop();
    // libvirt refuses to undefine a domain that still has snapshot metadata.
    if (ids.web) await host.virsh('snapshot-delete', ids.web, 'before-upgrade').catch(() => {});
    if (ids.net) {
      await host.virsh('destroy', ids.net).catch(() => {});
      await host.virsh('undefine', ids.net).catch(() => {});
    }
    if (taps.left) await execa('ip', ['tuntap', 'del', 'dev', taps.left, 'mode', 'tap'], { reject: false });
    await host?.release();
  });

  const args = () => [
    `--pool.dir=${pool}`,
    '--detect.grace=0s',
    '--detect.orphan-min-age=0s',
    '--collector.min-interval=0s',
    '--detect.max-chain-depth=8',
  ];

  it('reports exactly the orphans, the missing link and the deep chain that were built', async () => {
    exporter = await startExporter(args(), undefined, undefined, PORT);
    const samples = await exporter.scrape();
    for (const c of ['libvirt', 'procfs', 'sysfs', 'pools'])
      assert.equal(value(samples, 'vmzombie_collector_up', { collector: c }), 1, `${c} up`);
    assert.deepEqual(
      nodeFindings(samples),
      [
        `backing_chain_missing_link ${img('broken.qcow2')}`,
        `orphan_image ${img('orphan-base.qcow2')}`,
        `orphan_image ${img('orphan-top.qcow2')}`,
        `orphan_image ${img('orphan.qcow2')}`,
        `snapshot_chain_deep ${names.deep} (${ids.deep}) vda`,
        `tap_without_domain ${taps.left}`,
        `tap_without_domain ${taps.stray}`,
      ].sort(),
    );
    let allocated = 0;
    for (const f of ['orphan.qcow2', 'orphan-base.qcow2', 'orphan-top.qcow2'])
      allocated += (await stat(img(f))).blocks * 512;
    assert.equal(value(samples, 'vmzombie_reclaimable_disk_bytes', { kind: 'orphan_image' }), allocated);
  });

  it('exports pool, chain depth and snapshot series', async () => {
    const samples = await exporter.scrape();
    // base, web, run-base, broken, deep-0..9, orphan, orphan-base, orphan-top
    assert.equal(value(samples, 'vmzombie_pool_images', { pool, format: 'qcow2' }), 17);
    assert.ok((value(samples, 'vmzombie_pool_image_bytes', { pool }) ?? 0) > 0);
    assert.equal(
      value(samples, 'vmzombie_domain_disk_chain_depth', { domain: names.deep as string, target: 'vda' }),
      10,
    );
    assert.equal(value(samples, 'vmzombie_domain_disk_chain_depth', { domain: names.run as string, target: 'vda' }), 2);
    assert.equal(value(samples, 'vmzombie_domain_disk_chain_depth', { domain: names.web as string, target: 'vda' }), 2);
    assert.equal(value(samples, 'vmzombie_domain_snapshots', { domain: names.web as string }), 1);
    assert.equal(value(samples, 'vmzombie_domain_snapshots', { domain: names.run as string }), 0);
  });

  it("this machine's real /sys has no vfio-pci device, so no device finding and no vfio series", async () => {
    const samples = await exporter.scrape();
    for (const kind of ['vfio_device_without_domain', 'vfio_group_held_by_foreign_process', 'mdev_without_domain']) {
      assert.equal(value(samples, 'vmzombie_findings', { kind }), 0, kind);
      assert.equal(value(samples, 'vmzombie_detector_up', { kind }), 1, `${kind} ran`);
    }
    assert.equal(value(samples, 'vmzombie_vfio_devices', { state: 'assigned' }), 0);
    assert.equal(value(samples, 'vmzombie_vfio_devices', { state: 'unassigned' }), 0);
  });

  it('names the qemu holding a left-over tap, read from its fdinfo', async () => {
    const { body } = await exporter.get('/findings.json');
    const findings = (
      JSON.parse(body) as { findings: Array<{ kind: string; subject: string; evidence: Record<string, unknown> }> }
    ).findings;
    const stray = findings.find((f) => f.kind === 'tap_without_domain' && f.subject === taps.stray);
    assert.deepEqual(stray?.evidence.holders, [`pid ${strayPid} qemu-system-x86`]);
    const flags = Number.parseInt(String(stray?.evidence.tunFlags), 16);
    assert.equal(flags & 0x0002, 0x0002, 'IFF_TAP');
    assert.equal(flags & 0x0800, 0, 'not IFF_PERSIST: it lives as long as the qemu holding it');
    const left = findings.find((f) => f.kind === 'tap_without_domain' && f.subject === taps.left);
    assert.deepEqual(left?.evidence.holders, []);
    assert.equal(left?.evidence.tunFlags, '0x1802', 'IFF_TAP | IFF_NO_PI | IFF_PERSIST');
  });

  it('names the missing file and the chain as evidence', async () => {
    const { body } = await exporter.get('/findings.json');
    const findings = (JSON.parse(body) as { findings: Array<{ kind: string; evidence: Record<string, unknown> }> })
      .findings;
    const missing = findings.find((f) => f.kind === 'backing_chain_missing_link');
    assert.equal(missing?.evidence.missingBacking, img('broken-base.qcow2'));
    const deep = findings.find((f) => f.kind === 'snapshot_chain_deep');
    assert.deepEqual(
      deep?.evidence.chain,
      Array.from({ length: 10 }, (_, i) => img(`deep-${9 - i}.qcow2`)),
    );
  });

  it.skipIf(noPromtool)('the output passes promtool check metrics', async () => {
    const { body } = await exporter.get('/metrics');
    const result = await execa('promtool', ['check', 'metrics'], { input: body, reject: false });
    assert.deepEqual(
      `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => l.trim() !== ''),
      [],
    );
    // A promtool that did not run (not found, killed) prints nothing: that is no pass.
    assert.equal(result.exitCode, 0, result.message);
  });

  it('fixture /sys (GPUs, an mdev, hugepages, a tap), real libvirt and /proc: the device and host kinds', async () => {
    const tree = await SysfsTree.create();
    const fixture = await startExporter([...args(), `--path.sysfs=${tree.root}`], undefined, undefined, PORT + 2);
    try {
      await tree.pci({
        address: '0000:01:00.0',
        vendor: '0x10de',
        device: '0x1eb8',
        class: '0x030200',
        driver: 'vfio-pci',
        iommuGroup: '12',
      });
      await tree.pci({
        address: '0000:01:00.1',
        vendor: '0x10de',
        device: '0x10f8',
        class: '0x040300',
        driver: 'vfio-pci',
        iommuGroup: '12',
      });
      await tree.pci({
        address: '0000:02:00.0',
        vendor: '0x10de',
        device: '0x2236',
        class: '0x030000',
        driver: 'nvidia',
        iommuGroup: '13',
      });
      await tree.pci({
        address: '0000:00:02.0',
        vendor: '0x8086',
        device: '0x3e92',
        class: '0x030000',
        driver: 'i915',
        iommuGroup: '2',
      });
      await tree.mdev('0000:00:02.0', '5c1f0e7a-2b44-4d8e-8f0c-1d2e3f4a5b6c', 'i915-GVTg_V5_4', '20');
      await tree.hugepages(2048, { nr: 512, free: 256, resv: 16 });
      await tree.net('vnet4242', { ifindex: 42, tunFlags: 0x1802 });
      const samples = await fixture.scrape();
      assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'sysfs' }), 1);
      const device = nodeFindings(samples).filter(
        (f) => !f.startsWith('orphan_image') && !f.startsWith('backing_chain') && !f.startsWith('snapshot_chain'),
      );
      assert.deepEqual(device, [
        'hugepages_reserved_without_domain hugepages',
        'mdev_without_domain 5c1f0e7a-2b44-4d8e-8f0c-1d2e3f4a5b6c',
        'tap_without_domain vnet4242',
        'vfio_device_without_domain 0000:01:00.0',
        'vfio_device_without_domain 0000:01:00.1',
      ]);
      assert.equal(
        value(samples, 'vmzombie_reclaimable_memory_bytes', { kind: 'hugepages_reserved_without_domain' }),
        (256 + 16) * 2 * 1024 * 1024,
      );
      assert.equal(value(samples, 'vmzombie_reclaimable_devices', { kind: 'vfio_device_without_domain' }), 2);
      assert.deepEqual(
        series(samples, 'vmzombie_finding_age_seconds', { kind: 'vfio_device_without_domain' })
          .map((s) => s.labels.class)
          .sort(),
        ['audio', 'gpu'],
      );
      assert.equal(value(samples, 'vmzombie_vfio_devices', { state: 'unassigned' }), 2);
      assert.deepEqual(
        series(samples, 'vmzombie_pci_device_info')
          .map((s) => `${s.labels.address} ${s.labels.driver}`)
          .sort(),
        ['0000:00:02.0 i915', '0000:01:00.0 vfio-pci', '0000:01:00.1 vfio-pci', '0000:02:00.0 nvidia'],
      );
    } finally {
      await fixture.stop();
      await tree.remove();
    }
  });

  it('calls no image an orphan while libvirt does not answer', async () => {
    const libvirtd = Number((await execa('pgrep', ['-x', 'libvirtd'])).stdout.trim().split('\n')[0]);
    const fresh = await startExporter([...args(), '--collector.timeout=2s'], undefined, undefined, PORT + 1);
    process.kill(libvirtd, 'SIGSTOP');
    try {
      const samples = await fresh.scrape();
      assert.equal(value(samples, 'vmzombie_collector_state', { collector: 'libvirt', state: 'timeout' }), 1);
      assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'pools' }), 1);
      assert.equal(value(samples, 'vmzombie_detector_up', { kind: 'orphan_image' }), 0);
      assert.equal(value(samples, 'vmzombie_findings', { kind: 'orphan_image' }), 0);
    } finally {
      process.kill(libvirtd, 'SIGCONT');
      await fresh.stop();
    }
  });
});
