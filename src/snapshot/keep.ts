// A keep marker as a resource carries it (an annotation, a <metadata> element, a custom attribute), split
// into its fields by the source and judged in one place (keep/resource-marker.ts), so every layer follows
// the same rules as the keep file.
import { z } from 'zod';

export const ResourceKeepSchema = z.object({
  reason: z.string().nullable(),
  who: z.string().nullable(),
  until: z.string().nullable(),
  /** Names the marker carried that mean nothing here (a typo such as `untill`): the marker is malformed. */
  unknown: z.array(z.string()),
});
export type ResourceKeep = z.infer<typeof ResourceKeepSchema>;
