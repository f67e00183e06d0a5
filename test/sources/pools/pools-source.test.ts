import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newPoolsCaches, readPools } from '../../../src/sources/pools/read-pools.js';
import { parsePoolXml } from '../../../src/sources/shared/libvirt-config.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import type { PoolsSection } from '../../../src/snapshot/pools.js';
import { createQcow2, createRaw, rebaseUnsafe } from '../../support/qemu-img.js';

const poolXml = (name: string, dir: string, type = 'dir') =>
  `<pool type='${type}'>\n  <name>${name}</name>\n  <uuid>0e3c4a5b-7b1f-4b8e-9a55-0a1f2b3c4d5e</uuid>\n` +
  `  <target>\n    <path>${dir}</path>\n  </target>\n</pool>\n`;
const domainXml = (name: string, disk: string) =>
  `<domain type='qemu'><name>${name}</name><uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='KiB'>32768</memory><vcpu>1</vcpu>` +
  `<os><type arch='x86_64'>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
  <source file='${disk}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`;

describe('pools source on real qcow2 chains', () => {
  let root: string;
  let section: PoolsSection;
  const p = (...parts: string[]) => path.join(root, ...parts);

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'vmz-pools-'));
    for (const d of ['etc/storage', 'etc/qemu', 'default', 'extra', 'elsewhere', 'default/subdir'])
      await mkdir(p(d), { recursive: true });
    await writeFile(p('etc/storage/default.xml'), poolXml('default', p('default')));
    await writeFile(p('etc/storage/lvm.xml'), poolXml('vg0', '/dev/vg0', 'logical'));
    await writeFile(p('etc/storage/broken.xml'), '<pool type="dir"><target><path>/x</path></target></pool>');
    await writeFile(p('etc/qemu/vm1.xml'), domainXml('vm1', p('elsewhere', 'vm1-top.qcow2')));
    await createQcow2(p('default/base.qcow2'));
    await createQcow2(p('default/web.qcow2'), { backing: 'base.qcow2' });
    // A missing link the way it happens: the backing file is deleted after the overlay was made.
    await createQcow2(p('elsewhere/deleted.qcow2'));
    await createQcow2(p('default/gone-base.qcow2'), { backing: p('elsewhere', 'deleted.qcow2') });
    await rm(p('elsewhere/deleted.qcow2'));
    await createRaw(p('default/.hidden.img'));
    await createRaw(p('default/subdir/nested.img'));
    await symlink(p('default/base.qcow2'), p('default/base-link.qcow2'));
    await createRaw(p('extra/data.img'), '2M');
    await createQcow2(p('elsewhere/far-base.qcow2'));
    await createQcow2(p('elsewhere/vm1-mid.qcow2'), { backing: p('default/base.qcow2') });
    await createQcow2(p('elsewhere/vm1-top.qcow2'), { backing: 'vm1-mid.qcow2' });
    await createQcow2(p('extra/on-far.qcow2'), { backing: '../elsewhere/far-base.qcow2' });
    section = await readPools({ dirs: [p('extra'), p('missing-dir')], libvirtConfigDir: p('etc') });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("finds libvirt's file-backed pools and the flag's directories", () => {
    assert.deepEqual(section.pools, [
      { name: 'default', path: p('default'), origin: 'libvirt', readable: true },
      { name: p('extra'), path: p('extra'), origin: 'flag', readable: true },
      { name: p('missing-dir'), path: p('missing-dir'), origin: 'flag', readable: false },
    ]);
    assert.ok(
      section.problems.some((m) => m.includes('broken.xml') && m.includes('without <name>')),
      section.problems.join('\n'),
    );
  });

  it('lists the top-level files of each pool, hidden files and subdirectories left out', () => {
    assert.deepEqual(
      section.images.map((i) => [path.relative(root, i.path), i.pool, i.format]),
      [
        ['default/base-link.qcow2', 'default', 'qcow2'],
        ['default/base.qcow2', 'default', 'qcow2'],
        ['default/gone-base.qcow2', 'default', 'qcow2'],
        ['default/web.qcow2', 'default', 'qcow2'],
        ['extra/data.img', p('extra'), 'raw'],
        ['extra/on-far.qcow2', p('extra'), 'qcow2'],
      ],
    );
  });

  it('records size, allocation, inode and mtime from stat', async () => {
    const data = section.images.find((i) => i.path === p('extra/data.img'))!;
    const st = await stat(p('extra/data.img'));
    assert.equal(data.sizeBytes, 2 * 1024 * 1024);
    assert.equal(data.allocatedBytes, st.blocks * 512);
    assert.equal(data.inode, st.ino);
    assert.equal(data.mtimeSeconds, Math.floor(st.mtimeMs / 1000));
  });

  it('resolves relative backing names against the image directory', () => {
    assert.deepEqual(section.images.find((i) => i.path === p('default/web.qcow2'))?.backing, {
      raw: 'base.qcow2',
      path: p('default/base.qcow2'),
      format: 'qcow2',
    });
    assert.equal(
      section.images.find((i) => i.path === p('extra/on-far.qcow2'))?.backing?.path,
      p('elsewhere/far-base.qcow2'),
    );
  });

  it("follows chains out of the pools, and the disks of libvirt's persistent domains", () => {
    const ext = new Map(section.external.map((f) => [path.relative(root, f.path), f]));
    assert.deepEqual([...ext.keys()].sort(), [
      'elsewhere/deleted.qcow2',
      'elsewhere/far-base.qcow2',
      'elsewhere/vm1-mid.qcow2',
      'elsewhere/vm1-top.qcow2',
    ]);
    assert.equal(ext.get('elsewhere/deleted.qcow2')?.exists, false);
    assert.equal(ext.get('elsewhere/vm1-top.qcow2')?.backing?.path, p('elsewhere/vm1-mid.qcow2'));
    assert.equal(ext.get('elsewhere/vm1-mid.qcow2')?.backing?.path, p('default/base.qcow2'));
    assert.ok(section.external.every((f) => f.pool === null));
  });

  it('reports a damaged header as a problem on that file, not a failed collection', async () => {
    await writeFile(p('extra/damaged.qcow2'), Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]));
    try {
      const again = await readPools({ dirs: [p('extra')], libvirtConfigDir: '' });
      const damaged = again.images.find((i) => i.path === p('extra/damaged.qcow2'));
      assert.equal(damaged?.error, 'header: qcow2 header cut short');
      assert.ok(again.problems.some((m) => m.startsWith(p('extra/damaged.qcow2'))));
    } finally {
      await rm(p('extra/damaged.qcow2'));
    }
  });

  it('rereads a header and a domain definition that changed, with caches kept between collections', async () => {
    const caches = newPoolsCaches();
    const dir = p('cached');
    await mkdir(dir);
    await createQcow2(path.join(dir, 'a.qcow2'));
    await createQcow2(path.join(dir, 'b.qcow2'));
    await createQcow2(path.join(dir, 'top.qcow2'), { backing: 'a.qcow2' });
    const opts = { dirs: [dir], libvirtConfigDir: p('etc') };
    const first = await readPools(opts, undefined, caches);
    assert.equal(
      first.images.find((i) => i.path === path.join(dir, 'top.qcow2'))?.backing?.path,
      path.join(dir, 'a.qcow2'),
    );
    const again = await readPools(opts, undefined, caches);
    assert.deepEqual(again.images, first.images, 'unchanged files give the same answer from the cache');
    await rebaseUnsafe(path.join(dir, 'top.qcow2'), 'b.qcow2');
    await writeFile(p('etc/qemu/vm1.xml'), domainXml('vm1', p('elsewhere', 'far-base.qcow2')));
    const changed = await readPools(opts, undefined, caches);
    assert.equal(
      changed.images.find((i) => i.path === path.join(dir, 'top.qcow2'))?.backing?.path,
      path.join(dir, 'b.qcow2'),
    );
    // vm1 now uses far-base directly: its old overlay and mid layer are no longer followed.
    assert.deepEqual(changed.external.map((f) => path.relative(root, f.path)).sort(), [
      'elsewhere/deleted.qcow2',
      'elsewhere/far-base.qcow2',
    ]);
  });

  it('is absent when no image directory exists', async () => {
    await assert.rejects(readPools({ dirs: [p('nope')], libvirtConfigDir: p('nope-etc') }), (e: unknown) =>
      isSourceAbsentError(e),
    );
  });
});

describe('parsePoolXml', () => {
  it('keeps dir, fs and netfs pools and ignores block-backed ones', () => {
    assert.deepEqual(parsePoolXml(poolXml('images', '/var/lib/libvirt/images')), {
      name: 'images',
      type: 'dir',
      path: '/var/lib/libvirt/images',
    });
    assert.equal(parsePoolXml(poolXml('nfs', '/mnt/nfs', 'netfs'))?.path, '/mnt/nfs');
    assert.equal(parsePoolXml(poolXml('vg', '/dev/vg', 'logical')), null);
    assert.throws(() => parsePoolXml('<domain/>'), /no <pool> element/);
  });
});

describe('snapshot round trip', () => {
  it('a saved snapshot with real pools and sysfs sections validates and reads back unchanged', async () => {
    const { parseSnapshot } = await import('../../../src/families/index.js');
    const { readSysfs } = await import('../../../src/sources/sysfs/sysfs-source.js');
    const { SysfsTree } = await import('../../support/sysfs-tree.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-roundtrip-'));
    const tree = await SysfsTree.create();
    try {
      await createQcow2(path.join(dir, 'base.qcow2'));
      await createQcow2(path.join(dir, 'top.qcow2'), { backing: 'base.qcow2' });
      await tree.pci({
        address: '0000:01:00.0',
        vendor: '0x10de',
        device: '0x1eb8',
        class: '0x030200',
        driver: 'vfio-pci',
        iommuGroup: '12',
      });
      await tree.mdev('0000:01:00.0', '5c1f0e7a-2b44-4d8e-8f0c-1d2e3f4a5b6c', 'nvidia-63', '30');
      await tree.hugepages(2048, { nr: 8, free: 8, resv: 0 }, [{ node: 0, nr: 8, free: 8 }]);
      await tree.net('vnet0', { ifindex: 5, tunFlags: 0x1002 });
      const collector = {
        state: 'ok' as const,
        reason: null,
        durationSeconds: 0.01,
        lastSuccessSeconds: 1,
        stale: false,
      };
      const snap = {
        schemaVersion: 1 as const,
        hostname: 'h',
        takenAt: 1,
        collectors: { pools: collector, sysfs: collector },
        pools: await readPools({ dirs: [dir], libvirtConfigDir: '' }),
        sysfs: await readSysfs(tree.root),
      };
      assert.deepEqual(parseSnapshot(JSON.parse(JSON.stringify(snap))), snap);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await tree.remove();
    }
  });
});

describe('pools on hung storage', () => {
  it('answers within the deadline when a file or a directory never returns, and says so', async () => {
    const { readImage } = await import('../../../src/sources/pools/read-image.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-hung-'));
    const stuckDir = await mkdtemp(path.join(os.tmpdir(), 'vmz-hung-dir-'));
    try {
      await createQcow2(path.join(dir, 'fine.qcow2'));
      await createQcow2(path.join(dir, 'on-dead-nfs.qcow2'));
      // Stand-ins for calls blocked in the kernel on a dead NFS server: they never settle.
      const never = new Promise<never>(() => {});
      const io = {
        readdir: async (d: string) =>
          d === stuckDir ? never : (await import('node:fs/promises')).readdir(d, { withFileTypes: true }),
        readImage: (p: string, pool: string | null, missingOk?: boolean) =>
          p.endsWith('on-dead-nfs.qcow2') ? never : readImage(p, pool, missingOk),
      };
      const caches = newPoolsCaches(200);
      for (let round = 0; round < 2; round++) {
        // The stand-ins never settle: readPools returning at all shows it answered by the deadline.
        const s = await readPools({ dirs: [dir, stuckDir], libvirtConfigDir: '' }, undefined, caches, io);
        assert.equal(s.images.find((i) => i.path.endsWith('fine.qcow2'))?.error, null);
        const hung = s.images.find((i) => i.path.endsWith('on-dead-nfs.qcow2'));
        assert.match(hung?.error ?? '', /hung storage/);
        assert.equal(hung?.mtimeSeconds, null, 'no age: never an orphan candidate');
        assert.deepEqual(
          s.pools.map((p) => p.readable),
          [true, false],
        );
        assert.ok(
          s.problems.some((m) => m.includes(stuckDir) && /hung storage/.test(m)),
          s.problems.join('\n'),
        );
      }
      // Still pending from the first round: the guard issued no second call for it.
      assert.equal(caches.files.pendingCount, 1);
      assert.equal(caches.dirs.pendingCount, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(stuckDir, { recursive: true, force: true });
    }
  });
});
