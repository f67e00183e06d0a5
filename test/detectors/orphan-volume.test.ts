// orphan_volume: volumes of non-directory pools that no domain uses, against every healthy look-alike
// (a shut-off domain's volume, a backing volume, a snapshot's volume, pool bookkeeping, a dir pool).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { orphanVolume } from '../../src/detectors/orphan-volume.js';
import type { StoragePool, StorageVolume } from '../../src/snapshot/libvirt-storage.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { CTX, disk, domain, libvirtSection, snapshot } from '../support/builders.js';
import { judge, skipReason } from '../support/judge.js';

const pool = (name: string, type: string, sourceName: string | null, targetPath: string | null): StoragePool => ({
  name,
  uuid: '11111111-2222-3333-4444-555555555555',
  type,
  sourceName,
  targetPath,
});
const vol = (p: string, name: string, path: string | null, over: Partial<StorageVolume> = {}): StorageVolume => ({
  pool: p,
  name,
  key: path ?? `${p}/${name}`,
  type: 'block',
  path,
  capacityBytes: 10 << 30,
  allocationBytes: 4 << 30,
  format: null,
  backing: null,
  ...over,
});

const POOLS = [
  pool('vg0', 'logical', 'vg0', '/dev/vg0'),
  pool('ceph', 'rbd', 'rbdpool', null),
  pool('images', 'dir', null, '/var/lib/libvirt/images'),
  pool('tank', 'zfs', 'tank', '/dev/zvol/tank'),
];
const VOLUMES = [
  vol('vg0', 'web-root', '/dev/vg0/web-root'),
  vol('vg0', 'vm-101-disk-0', '/dev/vg0/vm-101-disk-0'),
  vol('vg0', 'off-root', '/dev/vg0/off-root'),
  vol('vg0', 'base', '/dev/vg0/base'),
  vol('vg0', 'overlay', '/dev/vg0/overlay', { backing: '/dev/vg0/base' }),
  vol('vg0', 'snap-state', '/dev/vg0/snap-state'),
  vol('vg0', '[lvol0_pmspare]', '/dev/vg0/[lvol0_pmspare]'),
  vol('vg0', 'thin_tmeta', '/dev/vg0/thin_tmeta'),
  vol('ceph', 'db-disk', 'rbdpool/db-disk', { type: 'network', key: 'rbdpool/db-disk' }),
  vol('ceph', '0b1c2d3e-0000-4000-8000-000000000001_disk', 'rbdpool/0b1c2d3e-0000-4000-8000-000000000001_disk', {
    type: 'network',
  }),
  vol('images', 'lost.qcow2', '/var/lib/libvirt/images/lost.qcow2', { type: 'file' }),
  vol('tank', 'by-volume', '/dev/zvol/tank/by-volume'),
];

function snap(domains = defaultDomains(), over: Partial<Snapshot> = {}): Snapshot {
  const s = snapshot({ libvirt: libvirtSection(domains, [], { storage: { pools: POOLS, volumes: VOLUMES } }) });
  return { ...s, ...over };
}

function defaultDomains() {
  return [
    domain({ name: 'web', disks: [disk('/dev/vg0/web-root')] }),
    // Shut off, still uses its volume.
    domain({ name: 'off', state: 'shutoff', reason: 'shutdown', disks: [disk('/dev/vg0/off-root')] }),
    // Uses the overlay only: the base is used through the overlay's backing volume.
    domain({ name: 'ovl', disks: [disk('/dev/vg0/overlay')] }),
    // A network disk by RBD name.
    domain({
      name: 'db',
      disks: [{ ...disk(''), type: 'network', source: null, network: { protocol: 'rbd', name: 'rbdpool/db-disk' } }],
    }),
    // A type='volume' disk by pool and volume name.
    domain({
      name: 'zv',
      disks: [{ ...disk(''), type: 'volume', source: null, volume: { pool: 'tank', volume: 'by-volume' } }],
    }),
  ];
}

const subjects = (fs: unknown[]) => (fs as Array<{ subject: string }>).map((f) => f.subject).sort();

describe('orphan_volume', () => {
  it('reports only the unused volumes of non-directory pools, with owner and shared labels', () => {
    const findings = judge(orphanVolume, snap(), CTX) as ReturnType<typeof orphanVolume.detect>;
    assert.deepEqual(subjects(findings), [
      'ceph/0b1c2d3e-0000-4000-8000-000000000001_disk',
      'vg0/snap-state',
      'vg0/vm-101-disk-0',
    ]);
    const px = findings.find((f) => f.labels.volume === 'vm-101-disk-0')!;
    assert.deepEqual(px.labels, {
      pool: 'vg0',
      volume: 'vm-101-disk-0',
      pool_type: 'logical',
      shared: 'false',
      owner: 'proxmox:101',
    });
    assert.equal(px.reclaimable.diskBytes, 4 << 30);
    const nova = findings.find((f) => f.labels.pool === 'ceph')!;
    assert.equal(nova.labels.shared, 'true');
    assert.equal(nova.labels.owner, 'nova:0b1c2d3e-0000-4000-8000-000000000001');
  });

  it('a volume named in snapshot metadata is used', () => {
    const base = snap();
    const s = {
      ...base,
      pools: { pools: [], images: [], external: [], problems: [], snapshotReferences: ['/dev/vg0/snap-state'] },
    } as Snapshot;
    assert.ok(!subjects(judge(orphanVolume, s, CTX)).includes('vg0/snap-state'));
  });

  it('not judged without the storage API, or while snapshot metadata of a domain with snapshots is unknown', () => {
    const noStorage = snapshot({ libvirt: libvirtSection(defaultDomains()) });
    assert.match(skipReason(orphanVolume, noStorage) ?? '', /storage API was not read/);
    const withSnap = snap([...defaultDomains(), domain({ name: 'snapper', snapshots: 2 })]);
    assert.match(skipReason(orphanVolume, withSnap) ?? '', /snapshot metadata that was not read/);
  });

  it('a dir pool file is never an orphan_volume (orphan_image judges it)', () => {
    assert.ok(!subjects(judge(orphanVolume, snap(), CTX)).some((s) => s.startsWith('images/')));
  });
});
