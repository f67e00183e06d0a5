// The snapshot: one collection's data from every enabled source, plus each collector's status.
// It is what `snapshot` prints and `scan --from` replays, so it is validated when read back.
import { z } from 'zod';
import { LibvirtSectionSchema } from './libvirt.js';
import { ProcfsSectionSchema } from './procfs.js';
import { KubeSectionSchema } from './kube.js';
import { VirtHandlerSectionSchema } from './virthandler.js';
import { VsphereSectionSchema } from './vsphere.js';
import { PoolsSectionSchema } from './pools.js';
import { SysfsSectionSchema } from './sysfs.js';
import { HypervSectionSchema } from './hyperv.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

export const CollectorStateSchema = z.enum(['ok', 'absent', 'error', 'timeout']);
export type CollectorState = z.infer<typeof CollectorStateSchema>;

export const CollectorStatusSchema = z.object({
  state: CollectorStateSchema,
  /** Why it is not ok, in words a person can act on. */
  reason: z.string().nullable(),
  durationSeconds: z.number(),
  lastSuccessSeconds: z.number().nullable(),
  /** The section in the snapshot is the last good one, not this collection's. */
  stale: z.boolean(),
});
export type CollectorStatus = z.infer<typeof CollectorStatusSchema>;

/** Every source's section, keyed by the source's name. Adding a source adds a key here. */
export const SectionsSchema = z.object({
  libvirt: LibvirtSectionSchema,
  procfs: ProcfsSectionSchema,
  kubevirt: KubeSectionSchema,
  virthandler: VirtHandlerSectionSchema,
  vsphere: VsphereSectionSchema,
  sysfs: SysfsSectionSchema,
  pools: PoolsSectionSchema,
  hyperv: HypervSectionSchema,
});
export type Sections = z.infer<typeof SectionsSchema>;
export type SectionName = keyof Sections;

export const SnapshotSchema = SectionsSchema.partial().extend({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  hostname: z.string(),
  /** Unix seconds when the collection started; detectors take their "now" from here. */
  takenAt: z.number(),
  collectors: z.record(z.string(), CollectorStatusSchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Parses untrusted snapshot JSON (a bug report, a saved file) with a readable error. */
export function parseSnapshot(json: unknown): Snapshot {
  const prefix = `not a vmzombie snapshot (schema v${SNAPSHOT_SCHEMA_VERSION})`;
  // Another schema version fails on many fields; say first what actually differs.
  const version =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>).schemaVersion : undefined;
  if (version !== undefined && version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(
      `${prefix}: schemaVersion: the file has ${JSON.stringify(version)}, this build reads ${SNAPSHOT_SCHEMA_VERSION}`,
    );
  }
  const result = SnapshotSchema.safeParse(json);
  if (!result.success) {
    const { issues } = result.error;
    const first = issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`${prefix}: ${first}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`);
  }
  return result.data;
}
