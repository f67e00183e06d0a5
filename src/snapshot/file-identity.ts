// What stat() says about a file on this host, the part the libvirt section's disk files and the
// pools section's images share (each extends it with its own fields).
import { z } from 'zod';

/** Null fields when the file could not be read; `exists` false only when it is known missing. */
export const FileIdentitySchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  inode: z.number().nullable(),
  devMajor: z.number().nullable(),
  devMinor: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  /** st_blocks × 512: what deleting the file would give back. */
  allocatedBytes: z.number().nullable(),
  mtimeSeconds: z.number().nullable(),
  /** Why the file could not be read (permissions, a hung server, a truncated header); null when it was read. */
  error: z.string().nullable(),
});
export type FileIdentity = z.infer<typeof FileIdentitySchema>;
