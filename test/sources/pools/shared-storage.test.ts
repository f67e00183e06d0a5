import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { classifyStorage, parseMountinfo, sharedMounts } from '../../../src/sources/pools/shared-storage.js';

// Captured from a host with an NFS export, a CephFS mount, a GlusterFS FUSE mount and a bind mount of a
// subdirectory of the NFS export into a container's image path.
const MOUNTINFO = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:45 / /mnt/vms rw,relatime shared:20 - nfs4 nfs1.example:/export/vms rw,vers=4.2
31 22 0:46 / /mnt/ceph rw,relatime shared:21 - ceph 10.0.0.1:6789,10.0.0.2:6789:/ rw,name=admin
32 22 0:47 / /mnt/gluster rw,relatime shared:22 - fuse.glusterfs gl1:/vol0 rw,user_id=0
33 22 0:45 /pool\\040a /var/lib/libvirt/images/shared rw,relatime shared:20 - nfs4 nfs1.example:/export/vms rw
34 22 8:1 /srv/data /var/lib/libvirt/images/bound rw,relatime shared:1 - ext4 /dev/sda1 rw
garbage line
`;

describe('shared storage', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  it('parses mountinfo, octal escapes included, and skips lines that are not mounts', () => {
    assert.equal(mounts.length, 6);
    assert.deepEqual(mounts[4], {
      root: '/pool a',
      mountPoint: '/var/lib/libvirt/images/shared',
      fstype: 'nfs4',
      source: 'nfs1.example:/export/vms',
    });
  });

  it('network and cluster filesystems are shared; a local one is not, below a shared mount or not', () => {
    const c = (dir: string, type: string | null = 'dir') => classifyStorage(dir, type, mounts, []);
    assert.deepEqual(c('/mnt/vms/guests'), {
      shared: true,
      reason: 'filesystem nfs4',
      fstype: 'nfs4',
      store: 'nfs1.example:/export/vms',
      pathInStore: '/guests',
    });
    assert.equal(c('/mnt/ceph').reason, 'filesystem ceph');
    assert.equal(c('/mnt/gluster/x').reason, 'filesystem fuse.glusterfs');
    assert.deepEqual(
      [c('/var/lib/libvirt/images').shared, c('/var/lib/libvirt/images').reason],
      [false, 'filesystem ext4'],
    );
    // A netfs pool is shared whatever its mount looks like (it may not be mounted yet).
    assert.deepEqual(
      [c('/var/lib/libvirt/netfs', 'netfs').shared, c('/var/lib/libvirt/netfs', 'netfs').reason],
      [true, 'pool type netfs'],
    );
  });

  it('one file has the same store and path on two hosts that mount the export at different places', () => {
    const hostA = classifyStorage('/mnt/vms/pool a', 'dir', mounts, []);
    const hostB = classifyStorage('/var/lib/libvirt/images/shared', 'dir', mounts, []);
    assert.deepEqual([hostA.store, hostA.pathInStore], ['nfs1.example:/export/vms', '/pool a']);
    assert.deepEqual([hostB.store, hostB.pathInStore], [hostA.store, hostA.pathInStore]);
  });

  it('--pool.shared-dir marks a directory the mount table calls local, keyed by its mount root', () => {
    const s = classifyStorage('/var/lib/libvirt/images/bound', 'dir', mounts, ['/var/lib/libvirt/images/bound/']);
    assert.deepEqual(s, {
      shared: true,
      reason: '--pool.shared-dir=/var/lib/libvirt/images/bound/',
      fstype: 'ext4',
      store: '/dev/sda1',
      pathInStore: '/srv/data',
    });
    assert.equal(
      classifyStorage('/var/lib/libvirt/images', 'dir', mounts, ['/var/lib/libvirt/images/bound']).shared,
      false,
    );
  });

  it('lists every shared mount and shared pool, deepest definitions kept by mount point', () => {
    const pools = [
      {
        path: '/var/lib/libvirt/images/bound',
        storage: classifyStorage('/var/lib/libvirt/images/bound', 'dir', mounts, ['/var/lib/libvirt/images/bound']),
      },
      { path: '/var/lib/libvirt/images', storage: classifyStorage('/var/lib/libvirt/images', 'dir', mounts, []) },
    ];
    assert.deepEqual(
      sharedMounts(pools, mounts).map((m) => [m.mountPoint, m.store, m.pathInStore]),
      [
        ['/mnt/ceph', '10.0.0.1:6789,10.0.0.2:6789:/', '/'],
        ['/mnt/gluster', 'gl1:/vol0', '/'],
        ['/mnt/vms', 'nfs1.example:/export/vms', '/'],
        ['/var/lib/libvirt/images/bound', '/dev/sda1', '/srv/data'],
        ['/var/lib/libvirt/images/shared', 'nfs1.example:/export/vms', '/pool a'],
      ],
    );
  });
});
