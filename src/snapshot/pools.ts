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

export const PoolSchema = z.object({
  name: z.string(),
  path: z.string(),
  /** Where the pool came from: libvirt's pool definitions, or the --pool.dir flag. */
  origin: z.enum(['libvirt', 'flag']),
  /** The directory could be listed (false: missing or unreadable, see problems). */
  readable: z.boolean(),
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
});
export type PoolsSection = z.infer<typeof PoolsSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    pools: PoolsSection;
  }
}
