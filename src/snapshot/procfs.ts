// Shape of what the procfs source reads: processes, the open files that matter for leak detection,
// and the kernel's lock table.
import { z } from 'zod';

export const ProcessSchema = z.object({
  pid: z.number(),
  ppid: z.number(),
  comm: z.string(),
  /** State letter from /proc/<pid>/stat: R, S, D, Z (exited, not reaped), T, I, X … */
  state: z.string(),
  /** argv as NUL-separated in /proc/<pid>/cmdline; empty for kernel threads. */
  cmdline: z.array(z.string()),
  uid: z.number().nullable(),
  /** Start time as Unix seconds (boot time + starttime / USER_HZ). */
  startTimeSeconds: z.number(),
  rssBytes: z.number().nullable(),
  /** HugetlbPages of /proc/<pid>/status: hugepage memory this process maps (null when not shown). */
  hugetlbBytes: z.number().nullable().optional(),
  /**
   * The uid of the Kubernetes pod whose cgroup the process is in (/proc/<pid>/cgroup); read for qemu processes
   * only, absent when not read, unreadable or not in a pod.
   */
  podUid: z.string().optional(),
});
export type ProcessInfo = z.infer<typeof ProcessSchema>;

/** An exited process its parent has not reaped yet (Z, or X while it goes): it holds no memory, file or lock. */
export function hasExited(p: Pick<ProcessInfo, 'state'>): boolean {
  return p.state === 'Z' || p.state === 'X';
}

/** One `lock:` line of /proc/<pid>/fdinfo/<fd>, same format as /proc/locks. */
export const LockLineSchema = z.object({
  lockClass: z.string(),
  mode: z.string(),
  access: z.string(),
  pid: z.number(),
  devMajor: z.number(),
  devMinor: z.number(),
  inode: z.number(),
  start: z.number(),
  /** null means EOF (to the end of the file). */
  end: z.number().nullable(),
  raw: z.string(),
});
export type LockLine = z.infer<typeof LockLineSchema>;

export const OpenFileSchema = z.object({
  pid: z.number(),
  fd: z.number(),
  /** readlink of /proc/<pid>/fd/<fd>: a path, or socket:[…], anon_inode:[…]. */
  target: z.string(),
  inode: z.number().nullable(),
  devMajor: z.number().nullable(),
  devMinor: z.number().nullable(),
  mntId: z.number().nullable(),
  /** Locks this fd holds, from its fdinfo (the only way to find the owner of an OFD lock). */
  locks: z.array(LockLineSchema),
  /** `iff:` of a tun/tap fd. */
  tapInterface: z.string().nullable(),
  /** `vfio-device-syspath:` of a VFIO device fd (Linux 6.18+). */
  vfioDeviceSyspath: z.string().nullable(),
});
export type OpenFile = z.infer<typeof OpenFileSchema>;

export const ProcLockSchema = LockLineSchema.extend({ ordinal: z.number() });
export type ProcLock = z.infer<typeof ProcLockSchema>;

export const ProcfsSectionSchema = z.object({
  bootTimeSeconds: z.number(),
  /** Other users' processes are hidden (hidepid): absence of a process proves nothing. */
  restricted: z.boolean(),
  processes: z.array(ProcessSchema),
  /**
   * Not every fd on the host: those that matter to detectors (locked files, /dev/vfio, tun/tap,
   * /dev/vhost-*, and regular files opened by qemu processes).
   */
  openFiles: z.array(OpenFileSchema),
  locks: z.array(ProcLockSchema),
  problems: z.array(z.string()),
  /** Entries skipped quietly: processes or fds gone mid-scan, and those we may not read. */
  skipped: z.object({ vanished: z.number(), denied: z.number() }).optional(),
});
export type ProcfsSection = z.infer<typeof ProcfsSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    procfs: ProcfsSection;
  }
}
