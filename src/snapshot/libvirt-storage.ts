// Shape of libvirt's storage as its storage API describes it: every pool of any type (LVM, RBD,
// iSCSI, ZFS, network file systems, directories) and every volume libvirt lists in it.
import { z } from 'zod';

export const StoragePoolSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  /** dir, fs, netfs, logical, disk, iscsi, iscsi-direct, scsi, mpath, rbd, sheepdog, gluster, zfs, vstorage. */
  type: z.string(),
  /** <source><name>: the volume group, RBD pool, zpool or share the pool stands for; null when none. */
  sourceName: z.string().nullable(),
  targetPath: z.string().nullable(),
});
export type StoragePool = z.infer<typeof StoragePoolSchema>;

export const StorageVolumeSchema = z.object({
  pool: z.string(),
  name: z.string(),
  /** libvirt's key: a path, an LV uuid, `pool/image` for RBD. */
  key: z.string(),
  /** file, block, dir, network, netdir, ploop. */
  type: z.string(),
  /** <target><path>: a host path, or a network name such as `rbd:pool/image`. */
  path: z.string().nullable(),
  capacityBytes: z.number().nullable(),
  allocationBytes: z.number().nullable(),
  format: z.string().nullable(),
  /** <backingStore><path>: the volume this one is an overlay of. */
  backing: z.string().nullable(),
});
export type StorageVolume = z.infer<typeof StorageVolumeSchema>;

export const LibvirtStorageSchema = z.object({
  pools: z.array(StoragePoolSchema),
  volumes: z.array(StorageVolumeSchema),
});
export type LibvirtStorage = z.infer<typeof LibvirtStorageSchema>;
