// Shape of what the pools source reads: every image file in the storage pool directories, with the
// backing file its qcow2 header names, plus the files outside the pools that those chains reach.
import { z } from 'zod';
import { FileIdentitySchema } from './file-identity.js';

/** `other`: no image magic and a size that is not whole 512-byte sectors (a note, a checksum, an XML dump). */
export const ImageFormatSchema = z.enum([
  'qcow2',
  'qcow',
  'raw',
  'iso',
  'vmdk',
  'vhdx',
  'vpc',
  'vdi',
  'other',
  'unknown',
]);
export type ImageFormat = z.infer<typeof ImageFormatSchema>;

export const BackingRefSchema = z.object({
  /** The name exactly as the qcow2 header stores it (may be relative to the image's directory). */
  raw: z.string(),
  /** Absolute host path it resolves to; null for protocol or json: names that are not host files. */
  path: z.string().nullable(),
  /** Backing format from the header extension, when recorded. */
  format: z.string().nullable(),
});
export type BackingRef = z.infer<typeof BackingRefSchema>;

export const ImageFileSchema = FileIdentitySchema.extend({
  /** Pool name (libvirt's, or the directory when the pool came from --pool.dir); null outside the pools. */
  pool: z.string().nullable(),
  format: ImageFormatSchema,
  backing: BackingRefSchema.nullable(),
  /** nb_snapshots of the qcow2 header: internal snapshots stored in this file. */
  internalSnapshots: z.number().nullable(),
});
export type ImageFile = z.infer<typeof ImageFileSchema>;

/** Where a pool directory is stored, and whether other hosts mount the same storage. */
export const PoolStorageSchema = z.object({
  shared: z.boolean(),
  /** Why it counts as shared or local: the pool type, the mount's filesystem type, or --pool.shared-dir. */
  reason: z.string(),
  fstype: z.string(),
  /** The mount's source (NFS `server:/export`): the storage's name on every host that mounts it. */
  store: z.string(),
  /** The pool directory's path inside that storage (mount root + path below the mount point). */
  pathInStore: z.string(),
});
export type PoolStorage = z.infer<typeof PoolStorageSchema>;

/** A directory tree on shared storage: a shared mount, a netfs pool or a --pool.shared-dir. */
export const SharedMountSchema = z.object({
  mountPoint: z.string(),
  store: z.string(),
  /** Path of mountPoint inside the store. */
  pathInStore: z.string(),
  reason: z.string(),
});
export type SharedMount = z.infer<typeof SharedMountSchema>;

export const PoolSchema = z.object({
  name: z.string(),
  path: z.string(),
  /** Where the pool came from: libvirt's pool definitions, or the --pool.dir flag. */
  origin: z.enum(['libvirt', 'flag']),
  /** The directory could be listed (false: missing or unreadable, see problems). */
  readable: z.boolean(),
  /** Absent in snapshots taken before storage was classified: read as local. */
  storage: PoolStorageSchema.optional(),
});
export type Pool = z.infer<typeof PoolSchema>;

export const PoolsSectionSchema = z.object({
  pools: z.array(PoolSchema),
  /** Regular files directly in the pool directories (libvirt dir pools are flat). */
  images: z.array(ImageFileSchema),
  /**
   * Files outside the pool directories whose headers were read too: disks of libvirt's persistent
   * domain definitions, and every backing file the chains reach.
   */
  external: z.array(ImageFileSchema),
  problems: z.array(z.string()),
  /** Files libvirt's snapshot metadata names (optional: older snapshots lack it). */
  snapshotReferences: z.array(z.string()).optional(),
  /** How many snapshot metadata files were read. */
  snapshotMetadataFiles: z.number().optional(),
  /** Where shared storage is mounted on this host (absent in older snapshots: none known). */
  sharedMounts: z.array(SharedMountSchema).optional(),
});
export type PoolsSection = z.infer<typeof PoolsSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    pools: PoolsSection;
  }
}
