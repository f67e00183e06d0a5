// Shape of what the node agent reads under the Longhorn data root: each replica directory's name and the disk
// space its files take, so the cluster agent's Longhorn orphans can be given a size (joined on the name).
import { z } from 'zod';

export const LonghornReplicaDirSchema = z.object({
  /** The directory's name under `<root>/replicas/`: a Longhorn replica's data name, `pvc-…-<suffix>`. */
  name: z.string(),
  /** Sum of st_blocks × 512 of its files: what deleting it frees. */
  allocatedBytes: z.number(),
  /** `Size` from its volume.meta (the volume's size), null when unreadable. */
  volumeSizeBytes: z.number().nullable(),
});
export type LonghornReplicaDir = z.infer<typeof LonghornReplicaDirSchema>;

export const LonghornSectionSchema = z.object({
  dataRoot: z.string(),
  replicas: z.array(LonghornReplicaDirSchema),
  problems: z.array(z.string()),
});
export type LonghornSection = z.infer<typeof LonghornSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    longhorn: LonghornSection;
  }
}
