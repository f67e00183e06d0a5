// Shape of what the node agent reads about the local virt-handler: its container's cgroup memory
// (cgroup v2 memory.current / memory.max / memory.stat / memory.events, or v1 equivalents).
import { z } from 'zod';

export const VirtHandlerCgroupSchema = z.object({
  pid: z.number(),
  /** Pod name (the container's HOSTNAME), null when the environment could not be read. */
  pod: z.string().nullable(),
  /** POD_NAMESPACE from the container's environment when set. */
  namespace: z.string().nullable(),
  /** NODE_NAME from the container's environment (virt-handler gets it from the downward API), else this host's name. */
  node: z.string(),
  podUid: z.string().nullable(),
  cgroupPath: z.string(),
  cgroupVersion: z.union([z.literal(1), z.literal(2)]),
  memoryCurrentBytes: z.number(),
  /** null when unlimited ("max"). */
  memoryMaxBytes: z.number().nullable(),
  /** memory.current minus inactive_file, as cAdvisor computes the working set. */
  workingSetBytes: z.number(),
  /** memory.events oom_kill of this container's cgroup (cgroup v2; resets with a new container). */
  oomKills: z.number().nullable(),
});
export type VirtHandlerCgroup = z.infer<typeof VirtHandlerCgroupSchema>;

export const VirtHandlerSectionSchema = z.object({
  handlers: z.array(VirtHandlerCgroupSchema),
  problems: z.array(z.string()),
});
export type VirtHandlerSection = z.infer<typeof VirtHandlerSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    virthandler: VirtHandlerSection;
  }
}
