// End to end on a private real libvirtd. (1) libvirt's test driver served over test+unix:// with a
// node file declaring logical, rbd, iscsi, zfs and netfs pools and their volumes (this machine has
// no device-mapper, Ceph or ZFS): the storage API read over RPC and over virsh agrees, and
// orphan_volume names exactly the unused volumes. (2) QEMU (TCG): a managed save, an active commit
// left unpivoted, a destroyed domain dated by its qemu log, a marked template, a never-started one.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { PrivateLibvirtd } from '../support/private-libvirtd.js';
import { acquireLock, releaseLock } from '../support/libvirtd.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { LibvirtReader } from '../../src/sources/libvirt/libvirt-reader.js';
import type { LibvirtSection } from '../../src/snapshot/libvirt.js';
import { orphanVolume } from '../../src/detectors/orphan-volume.js';
import { managedSaveStale } from '../../src/detectors/managed-save-stale.js';
import { blockJobStuck } from '../../src/detectors/block-job-stuck.js';
import { domainShutOffLong } from '../../src/detectors/domain-shut-off-long.js';
import { CTX, snapshot } from '../support/builders.js';
import { judge } from '../support/judge.js';

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'unshare'),
);

const GiB = 1024 ** 3;
const vol = (type: string, name: string, p: string, alloc = GiB, backing = '') =>
  `<volume type='${type}'><name>${name}</name><capacity unit='bytes'>${4 * GiB}</capacity>` +
  `<allocation unit='bytes'>${alloc}</allocation><target><path>${p}</path></target>` +
  (backing ? `<backingStore><path>${backing}</path></backingStore>` : '') +
  `</volume>`;
const pool = (type: string, name: string, uuidTail: string, source: string, target: string, vols: string[]) =>
  `<pool type='${type}'><name>${name}</name><uuid>00000000-0000-4000-9000-${uuidTail}</uuid>` +
  `<capacity unit='bytes'>${100 * GiB}</capacity><allocation unit='bytes'>0</allocation>` +
  `<available unit='bytes'>${100 * GiB}</available>${source}<target><path>${target}</path></target>` +
  vols.join('') +
  `</pool>`;
const testDomain = (name: string, uuidTail: string, disk: string, shutOff = false) =>
  `<domain type='test'><name>${name}</name><uuid>00000000-0000-4000-8000-${uuidTail}</uuid>` +
  `<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>${disk}</devices>` +
  (shutOff ? `<test:runstate>5</test:runstate>` : '') +
  `</domain>`;

const blockDisk = (dev: string) => `<disk type='block' device='disk'><source dev='${dev}'/><target dev='vda'/></disk>`;
const RBD_DISK =
  `<disk type='network' device='disk'><source protocol='rbd' name='rbdpool/db-disk'><host name='mon1'/></source>` +
  `<target dev='vda'/></disk>`;
const VOLUME_DISK =
  `<disk type='volume' device='disk'><source pool='tank' volume='by-volume'/>` + `<target dev='vda'/></disk>`;

const NODE = `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
${testDomain('lvm-user', '000000000001', blockDisk('/dev/vg0/web-root'))}
${testDomain('off-user', '000000000002', blockDisk('/dev/vg0/off-root'), true)}
${testDomain('ovl-user', '000000000003', blockDisk('/dev/vg0/overlay'))}
${testDomain('rbd-user', '000000000004', RBD_DISK)}
${testDomain('zfs-user', '000000000005', VOLUME_DISK)}
${pool('logical', 'vg0', '000000000001', `<source><name>vg0</name><format type='lvm2'/></source>`, '/dev/vg0', [
  vol('block', 'web-root', '/dev/vg0/web-root'),
  vol('block', 'off-root', '/dev/vg0/off-root'),
  vol('block', 'base', '/dev/vg0/base'),
  vol('block', 'overlay', '/dev/vg0/overlay', GiB, '/dev/vg0/base'),
  vol('block', 'vm-101-disk-0', '/dev/vg0/vm-101-disk-0', 3 * GiB),
])}
${pool('rbd', 'ceph', '000000000002', `<source><name>rbdpool</name><host name='mon1'/></source>`, 'rbdpool', [
  vol('network', 'db-disk', 'rbdpool/db-disk'),
  vol('network', 'lost-image', 'rbdpool/lost-image', 2 * GiB),
])}
${pool(
  'iscsi',
  'san',
  '000000000003',
  `<source><host name='10.0.0.9'/><device path='iqn.2026-01.example:t1'/></source>`,
  '/dev/disk/by-path',
  [vol('block', 'unit:0:0:1', '/dev/disk/by-path/ip-10.0.0.9:3260-iscsi-iqn.2026-01.example:t1-lun-1')],
)}
${pool('zfs', 'tank', '000000000004', `<source><name>tank</name></source>`, '/dev/zvol/tank', [
  vol('block', 'by-volume', '/dev/zvol/tank/by-volume'),
  vol('block', '.zfs-internal', '/dev/zvol/tank/.zfs-internal'),
])}
${pool(
  'netfs',
  'nfs',
  '000000000005',
  `<source><host name='nas'/><dir path='/export'/><format type='nfs'/></source>`,
  '/mnt/nfs',
  [vol('file', 'unused.qcow2', '/mnt/nfs/unused.qcow2')],
)}
</node>`;

describe.skipIf(unavailable)(
  'storage pools of every type and libvirt leftovers, private libvirtd',
  { timeout: 300_000 },
  () => {
    let d: PrivateLibvirtd;
    beforeAll(async () => {
      await acquireLock();
      d = await PrivateLibvirtd.start();
    });
    afterAll(async () => {
      await d?.stop();
      await releaseLock();
    });

    it('test driver over test+unix: RPC and virsh read the same pools and volumes, orphan_volume exact', async () => {
      const node = path.join(d.dir, 'node.xml');
      await writeFile(node, NODE);
      const uri = `test+unix://${node}?socket=${d.roSocket}`;
      const read = async (transport: 'rpc' | 'virsh') => {
        const r = new LibvirtReader({ virsh: 'virsh', uri, runDir: path.join(d.runDir, 'qemu'), transport });
        try {
          return await r.read(AbortSignal.timeout(60_000));
        } finally {
          await r.close();
        }
      };
      const rpc = await read('rpc');
      const virsh = await read('virsh');
      assert.equal(rpc.transport?.name, 'rpc');
      assert.equal(virsh.transport?.name, 'virsh');
      const norm = (s: LibvirtSection) => ({
        pools: [...(s.storage?.pools ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
        volumes: [...(s.storage?.volumes ?? [])]
          .map((v) => ({ ...v, key: '' }))
          .sort((a, b) => `${a.pool}/${a.name}`.localeCompare(`${b.pool}/${b.name}`)),
      });
      assert.deepEqual(norm(rpc), norm(virsh));
      assert.deepEqual(
        norm(rpc).pools.map((p) => [p.name, p.type, p.sourceName]),
        [
          ['ceph', 'rbd', 'rbdpool'],
          ['nfs', 'netfs', null],
          ['san', 'iscsi', null],
          ['tank', 'zfs', 'tank'],
          ['vg0', 'logical', 'vg0'],
        ],
      );
      assert.equal(rpc.storage?.volumes.length, 11);
      const ov = rpc.storage!.volumes.find((v) => v.name === 'overlay')!;
      assert.equal(ov.backing, '/dev/vg0/base');
      assert.equal(ov.allocationBytes, GiB);

      for (const section of [rpc, virsh]) {
        const findings = judge(orphanVolume, snapshot({ libvirt: section }), CTX) as ReturnType<
          typeof orphanVolume.detect
        >;
        assert.deepEqual(findings.map((f) => f.subject).sort(), [
          'ceph/lost-image',
          'san/unit:0:0:1',
          'vg0/vm-101-disk-0',
        ]);
        const px = findings.find((f) => f.labels.volume === 'vm-101-disk-0')!;
        assert.equal(px.labels.owner, 'proxmox:101');
        assert.equal(px.reclaimable.diskBytes, 3 * GiB);
        assert.equal(findings.find((f) => f.labels.pool === 'ceph')?.labels.shared, 'true');
      }
    });

    it('QEMU: managed save, unpivoted commit, a stop dated by its log; template, never-started silent', async () => {
      const images = path.join(d.dir, 'lib', 'images');
      const img = async (name: string, backing?: string) => {
        const p = path.join(images, name);
        const args = ['create', '-q', '-f', 'qcow2', ...(backing ? ['-b', backing, '-F', 'qcow2'] : []), p, '16M'];
        await execa('qemu-img', args);
        return p;
      };
      const xml = (name: string, disk: string, metadata = '') => `<domain type='qemu'>
      <name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>${metadata}
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
      <target dev='vda' bus='virtio'/></disk></devices></domain>`;
      const define = async (name: string, disk: string, metadata = '') => {
        const f = path.join(d.dir, `${name}.xml`);
        await writeFile(f, xml(name, disk, metadata));
        await d.virsh('define', f);
      };
      await define('vmzl-saved', await img('saved.qcow2'));
      const base = await img('commit-base.qcow2');
      await define('vmzl-commit', await img('commit-top.qcow2', base));
      await define('vmzl-off', await img('off.qcow2'));
      await define(
        'vmzl-tpl',
        await img('tpl.qcow2'),
        `<metadata><vmz:template xmlns:vmz="urn:vmzombie:template"/></metadata>`,
      );
      await define('vmzl-fresh', await img('fresh.qcow2'));
      for (const n of ['vmzl-saved', 'vmzl-commit', 'vmzl-off', 'vmzl-tpl']) await d.virsh('start', n);
      await d.virsh('managedsave', 'vmzl-saved');
      await d.virsh('destroy', 'vmzl-off');
      await d.virsh('destroy', 'vmzl-tpl');
      await d.virsh('blockcommit', 'vmzl-commit', 'vda', '--active', '--wait', '--timeout', '60');

      const reader = new LibvirtReader({
        virsh: 'virsh',
        uri: d.roUri,
        runDir: path.join(d.runDir, 'qemu'),
        // The private daemon's /var/lib/libvirt and /var/log/libvirt are both its var folder.
        saveDir: path.join(d.dir, 'var', 'qemu', 'save'),
        logDir: path.join(d.dir, 'var', 'qemu'),
      });
      const started = Math.floor(Date.now() / 1000);
      try {
        const s = await reader.read(AbortSignal.timeout(60_000));
        assert.equal(s.transport?.name, 'rpc');
        const snap = snapshot({ libvirt: s });

        const saves = judge(managedSaveStale, snap, CTX) as ReturnType<typeof managedSaveStale.detect>;
        assert.deepEqual(
          saves.map((f) => f.labels.domain),
          ['vmzl-saved'],
        );
        assert.ok((saves[0]?.evidence.fileBytes ?? 0) > 0, 'the save image has bytes');
        assert.match(saves[0]?.evidence.file ?? '', /vmzl-saved\.save$/);

        const jobs = judge(blockJobStuck, snap, CTX) as ReturnType<typeof blockJobStuck.detect>;
        assert.deepEqual(
          jobs.map((f) => [f.labels.domain, f.labels.disk, f.labels.block_job, f.labels.ready]),
          [['vmzl-commit', 'vda', 'active-commit', 'true']],
        );
        assert.equal(jobs[0]?.evidence.mirrorTarget, base);

        const off = judge(domainShutOffLong, snap, CTX) as ReturnType<typeof domainShutOffLong.detect>;
        assert.deepEqual(
          off.map((f) => f.labels.domain),
          ['vmzl-off'],
        );
        assert.equal(off[0]?.evidence.record, 'qemu-log');
        assert.ok(Math.abs((off[0]?.since ?? 0) - started) < 120, `dated by the log: ${off[0]?.since} vs ${started}`);
        assert.ok((off[0]?.reclaimable.diskBytes ?? 0) > 0);
        assert.equal(s.domains.find((x) => x.name === 'vmzl-tpl')?.template, true);

        // The operator's fix clears block_job_stuck: after a pivot, no mirror.
        await d.virsh('blockjob', 'vmzl-commit', 'vda', '--pivot');
        const after = await new LibvirtReader({
          virsh: 'virsh',
          uri: d.roUri,
          runDir: path.join(d.runDir, 'qemu'),
          xmlRefreshCollections: 1,
        }).read(AbortSignal.timeout(60_000));
        assert.deepEqual(judge(blockJobStuck, snapshot({ libvirt: after }), CTX), []);
      } finally {
        await reader.close();
      }
    });
  },
);
