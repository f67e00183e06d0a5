// orphan_volume: a volume in a libvirt storage pool of any type but the file-backed ones (LVM, RBD,
// iSCSI, ZFS, SCSI, multipath, ...) that no defined domain uses: not by pool and volume name, path,
// network name, as a backing volume, nor through snapshot metadata. File-backed pools (dir, fs,
// netfs) are orphan_image's, which also checks locks and open files: one file is never both kinds.
// Judged only when libvirt's storage API answered and snapshot metadata is known.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import type { StorageVolume } from '../snapshot/libvirt-storage.js';
import { ownerLabel, volumeOwner, type Owner } from '../views/libvirt-owner.js';
import { usedVolumes, volumeKey } from '../views/volume-references.js';

/** orphan_image's pool types (see shared/libvirt-config.ts). */
export const FILE_POOL_TYPES: ReadonlySet<string> = new Set(['dir', 'fs', 'netfs']);
/** Pool types that other hosts may use too: a volume unused here may be used elsewhere. */
export const SHARED_POOL_TYPES: ReadonlySet<string> = new Set([
  'rbd',
  'iscsi',
  'iscsi-direct',
  'gluster',
  'sheepdog',
  'mpath',
  'vstorage',
  'scsi',
]);

/** A pool's own bookkeeping, never a guest disk: LVM thin-pool internals, hidden names, directories. */
export function isPoolMetadata(v: StorageVolume): boolean {
  return (
    v.type === 'dir' ||
    v.type === 'netdir' ||
    v.name.startsWith('.') ||
    /^\[.*\]$/.test(v.name) ||
    /_(tdata|tmeta|pmspare|rmeta_\d+|rimage_\d+|mlog|mimage_\d+)$/.test(v.name)
  );
}

export interface OrphanVolumeEvidence {
  pool: string;
  poolType: string;
  /** The pool's <source><name>: volume group, RBD pool, zpool. */
  poolSource: string | null;
  volume: string;
  key: string;
  path: string | null;
  type: string;
  format: string | null;
  capacityBytes: number | null;
  allocationBytes: number | null;
  backing: string | null;
  /** Pools of this type can be used by other hosts: check them before deleting. */
  sharedPool: boolean;
  owner: Owner | null;
  checked: { domainDefinitions: number; volumes: number; snapshotMetadataPaths: number };
}

export const orphanVolume: Detector<
  'orphan_volume',
  OrphanVolumeEvidence,
  'pool' | 'volume' | 'pool_type' | 'shared' | 'owner',
  'detect.orphan-volume-grace'
> = {
  kind: 'orphan_volume',
  labels: ['pool', 'volume', 'pool_type', 'shared', 'owner'],
  knobs: {
    'detect.orphan-volume-grace': duration(
      '1h',
      'How long a storage volume must stay unused by every defined domain before orphan_volume (a volume created ' +
        'just before its domain is defined is not).',
    ),
  },
  grace: 'detect.orphan-volume-grace',
  needs: ['libvirt', 'libvirt.storage'],
  detect(s) {
    const libvirt = s.libvirt;
    const storage = libvirt?.storage;
    if (!libvirt || !storage) return [];
    const snapshotPaths = s.pools?.snapshotReferences ?? [];
    const used = usedVolumes(libvirt, snapshotPaths);
    const pools = new Map(storage.pools.map((p) => [p.name, p]));
    const findings: Array<FindingFrom<typeof orphanVolume>> = [];
    for (const v of storage.volumes) {
      const pool = pools.get(v.pool);
      if (!pool || FILE_POOL_TYPES.has(pool.type) || isPoolMetadata(v)) continue;
      if (used.has(volumeKey(v.pool, v.name))) continue;
      const shared = SHARED_POOL_TYPES.has(pool.type);
      const owner = volumeOwner(v.name);
      findings.push({
        kind: 'orphan_volume',
        subject: `${v.pool}/${v.name}`,
        labels: {
          pool: v.pool,
          volume: v.name,
          pool_type: pool.type,
          shared: String(shared),
          owner: ownerLabel(owner),
        },
        since: null,
        reclaimable: { diskBytes: v.allocationBytes ?? 0 },
        evidence: {
          pool: v.pool,
          poolType: pool.type,
          poolSource: pool.sourceName,
          volume: v.name,
          key: v.key,
          path: v.path,
          type: v.type,
          format: v.format,
          capacityBytes: v.capacityBytes,
          allocationBytes: v.allocationBytes,
          backing: v.backing,
          sharedPool: shared,
          owner,
          checked: {
            domainDefinitions: libvirt.domains.length,
            volumes: storage.volumes.length,
            snapshotMetadataPaths: snapshotPaths.length,
          },
        },
        refs: v.path ? [`file:${v.path}`] : [],
      });
    }
    return findings;
  },
};
