// procfs source: processes, the open files detectors care about, and the kernel's lock table, in
// one pass over /proc per collection. Vanished processes and denied entries are skipped quietly.
// Besides locked files and qemu's files it keeps any process's fds on files in the pool directories:
// an image a backup tool or `qemu-img convert` reads without a lock is in use, not an orphan.
//
// The pass uses synchronous reads, in slices that yield to the event loop every few milliseconds:
// stat, status, fd links, fdinfo and mountinfo are answered by the kernel without touching a
// filesystem or another process's memory, and a synchronous read of them costs a few microseconds
// where a promise through libuv's thread pool costs tens (hundreds of processes, thousands of fds).
// Only cmdline can block (the kernel takes the process's memory lock to copy it), so it is read off
// the loop thread, through a hung-call guard, once per process (pid, start time and comm: an exec
// changes comm) and cached.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenFile, ProcessInfo, ProcfsSection } from '../../snapshot/procfs.js';
import type { SourceDefinition } from '../source.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { splitDev } from '../../util/devnum.js';
import { mapLimit } from '../../util/map-limit.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { Slicer } from '../../util/slicer.js';
import { describeError, isDenied, isVanished } from '../../util/fs-errors.js';
import { libvirtPoolDirs } from '../pools/libvirt-config.js';
import {
  USER_HZ,
  parseBootTime,
  parseCmdline,
  parseFdInfo,
  parseMountinfo,
  parsePidStat,
  parsePidStatus,
  parseProcLocks,
} from './parse.js';

const QEMU_COMM = /^(qemu-system-|qemu-kvm$|kvm$)/;
/** Longest synchronous run before timers and sockets get the event loop back. */
const SLICE_MS = 4;
/** cmdline reads in flight at once (only processes new since the last collection are read). */
const CMDLINE_CONCURRENCY = 8;

/** Device fds worth keeping for the device and network detectors. */
function isDeviceOfInterest(target: string): boolean {
  return (
    target.startsWith('/dev/vfio/') ||
    target === '/dev/net/tun' ||
    target.startsWith('/dev/vhost-') ||
    target.startsWith('/dev/iommu') ||
    target === 'anon_inode:[vfio-device]'
  );
}

function isRegularPath(target: string): boolean {
  return (
    target.startsWith('/') && !target.startsWith('/dev/') && !target.startsWith('/proc/') && !target.startsWith('/sys/')
  );
}

/** True when `target` (an fd's link, maybe with " (deleted)") names a file inside one of `dirs`. */
export function isUnderDirs(target: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => target.startsWith(d.endsWith('/') ? d : `${d}/`));
}

/** Counts the entries skipped quietly; anything else becomes a problem. */
class Skips {
  readonly counts = { vanished: 0, denied: 0 };
  constructor(private readonly problems: string[]) {}

  record(e: unknown, what: string): void {
    if (isVanished(e)) this.counts.vanished++;
    else if (isDenied(e)) this.counts.denied++;
    else this.problems.push(`${what}: ${describeError(e)}`);
  }
}

/**
 * What one procfs source keeps between collections: each process's command line (read once per
 * process), and the guard that keeps a cmdline read stuck on a process's memory lock from pinning
 * libuv's threads.
 */
export class ProcfsCache {
  private readonly cmdlines = new Map<number, { key: string; cmdline: string[] }>();
  private readonly guard: HungCallGuard<Buffer | 'hung'>;

  constructor(cmdlineDeadlineMs = 2000) {
    this.guard = new HungCallGuard<Buffer | 'hung'>(2, cmdlineDeadlineMs);
  }

  /** The cached command line of this process incarnation, if read before. */
  cmdline(pid: number, key: string): string[] | undefined {
    const hit = this.cmdlines.get(pid);
    return hit?.key === key ? hit.cmdline : undefined;
  }

  /** Reads and caches a command line; 'hung' when the read did not return in time (not cached). */
  async readCmdline(pid: number, key: string, file: string): Promise<string[] | 'hung'> {
    const raw = await this.guard.run(
      `${pid}:${key}`,
      () => readFile(file),
      () => 'hung' as const,
    );
    if (raw === 'hung') return raw;
    const cmdline = parseCmdline(raw);
    this.cmdlines.set(pid, { key, cmdline });
    return cmdline;
  }

  /** Forgets processes that are gone. */
  retain(pids: ReadonlySet<number>): void {
    for (const pid of this.cmdlines.keys()) if (!pids.has(pid)) this.cmdlines.delete(pid);
  }
}

export async function readProcfs(
  root: string,
  signal?: AbortSignal,
  watchDirs: readonly string[] = [],
  cache: ProcfsCache = new ProcfsCache(),
): Promise<ProcfsSection> {
  const problems: string[] = [];
  const skips = new Skips(problems);
  let bootTimeSeconds: number;
  try {
    bootTimeSeconds = parseBootTime(readFileSync(path.join(root, 'stat'), 'utf8'));
  } catch (e: unknown) {
    throw new SourceAbsentError(`cannot read ${path.join(root, 'stat')}: ${describeError(e)}`, { cause: e });
  }
  let locksText = '';
  try {
    locksText = readFileSync(path.join(root, 'locks'), 'utf8');
  } catch {
    // No lock table (a minimal /proc): no locks.
  }
  const { locks, malformed } = parseProcLocks(locksText);
  for (const line of malformed) problems.push(`unparsed /proc/locks line: ${line}`);
  const keep: KeepRules = { lockedInodes: new Set(locks.map((l) => l.inode)), watchDirs };

  const pids = readdirSync(root)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const processes: ProcessInfo[] = [];
  const openFiles: OpenFile[] = [];
  const mounts = new MountTables();
  const slicer = new Slicer(signal, SLICE_MS);
  const withoutCmdline: Array<{ proc: ProcessInfo; key: string }> = [];

  for (const pid of pids) {
    await slicer.pause();
    const dir = path.join(root, String(pid));
    let proc: ProcessInfo;
    let key: string;
    try {
      const st = parsePidStat(readFileSync(path.join(dir, 'stat'), 'utf8'));
      const status = parsePidStatus(readFileSync(path.join(dir, 'status'), 'utf8'));
      key = `${st.startTicks}:${st.comm}`;
      proc = {
        pid,
        ppid: st.ppid,
        comm: st.comm,
        state: st.state,
        cmdline: cache.cmdline(pid, key) ?? [],
        uid: status.uid,
        startTimeSeconds: bootTimeSeconds + st.startTicks / USER_HZ,
        rssBytes: status.rssBytes,
        hugetlbBytes: status.hugetlbBytes,
      };
    } catch (e: unknown) {
      skips.record(e, `pid ${pid}`);
      continue;
    }
    if (cache.cmdline(pid, key) === undefined) withoutCmdline.push({ proc, key });
    processes.push(proc);
    await readOpenFiles(dir, proc, keep, mounts, skips, slicer, openFiles);
  }

  // Command lines of processes not seen before, off the loop thread; one that vanished meanwhile is dropped.
  const vanished = new Set<number>();
  await mapLimit(
    withoutCmdline,
    CMDLINE_CONCURRENCY,
    async ({ proc, key }) => {
      try {
        const cmdline = await cache.readCmdline(proc.pid, key, path.join(root, String(proc.pid), 'cmdline'));
        if (cmdline === 'hung') problems.push(`pid ${proc.pid} cmdline: the read has not returned; shown empty`);
        else proc.cmdline = cmdline;
      } catch (e: unknown) {
        if (isVanished(e)) vanished.add(proc.pid);
        skips.record(e, `pid ${proc.pid} cmdline`);
      }
    },
    signal,
  );
  const live = vanished.size ? processes.filter((p) => !vanished.has(p.pid)) : processes;
  const files = vanished.size ? openFiles.filter((f) => !vanished.has(f.pid)) : openFiles;
  cache.retain(new Set(live.map((p) => p.pid)));

  live.sort((a, b) => a.pid - b.pid);
  files.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  const restricted = !live.some((p) => p.pid === 1);
  return {
    bootTimeSeconds,
    restricted,
    processes: live,
    openFiles: files,
    locks,
    problems,
    skipped: skips.counts,
  };
}

interface KeepRules {
  lockedInodes: Set<number>;
  watchDirs: readonly string[];
}

async function readOpenFiles(
  dir: string,
  proc: ProcessInfo,
  keep: KeepRules,
  mounts: MountTables,
  skips: Skips,
  slicer: Slicer,
  kept: OpenFile[],
): Promise<void> {
  let fds: string[];
  try {
    fds = readdirSync(path.join(dir, 'fd'));
  } catch (e: unknown) {
    skips.record(e, `pid ${proc.pid} fd list`);
    return;
  }
  const isQemu = QEMU_COMM.test(proc.comm);
  for (const [i, fdName] of fds.entries()) {
    if (i % 64 === 63) await slicer.pause();
    const fdPath = path.join(dir, 'fd', fdName);
    try {
      const target = readlinkSync(fdPath);
      const device = isDeviceOfInterest(target);
      if (!device && !isRegularPath(target)) continue;
      // Another process's regular file matters only when locked or in a pool directory: the path
      // answers the second, and without any lock on the host the first needs no fdinfo.
      const watched = isQemu || isUnderDirs(target, keep.watchDirs);
      if (!device && !watched && keep.lockedInodes.size === 0) continue;
      let inode: number | null = null;
      let devMajor: number | null = null;
      let devMinor: number | null = null;
      // fdinfo, not stat(): stat of a file on a dead NFS server blocks a libuv thread for good,
      // while fdinfo (ino:, mnt_id:, lock:) is answered by the kernel without asking the filesystem.
      const info = parseFdInfo(readFileSync(path.join(dir, 'fdinfo', fdName), 'utf8'));
      if (!device) {
        if (info.inode !== null) {
          if (!watched && !keep.lockedInodes.has(info.inode)) continue;
          inode = info.inode;
          const dev = info.mntId === null ? undefined : mounts.of(dir).get(info.mntId);
          if (dev) ({ major: devMajor, minor: devMinor } = dev);
        } else {
          // Kernels before 5.14 have no ino: in fdinfo.
          const st = await stat(fdPath);
          inode = st.ino;
          ({ major: devMajor, minor: devMinor } = splitDev(st.dev));
          if (!watched && !keep.lockedInodes.has(inode)) continue;
        }
      }
      kept.push({
        pid: proc.pid,
        fd: Number(fdName),
        target,
        inode,
        devMajor,
        devMinor,
        mntId: info.mntId,
        locks: info.locks,
        tapInterface: info.tapInterface,
        vfioDeviceSyspath: info.vfioDeviceSyspath,
      });
    } catch (e: unknown) {
      skips.record(e, `pid ${proc.pid} fd ${fdName}`);
    }
  }
}

/** Mount tables per mount namespace, read once per collection and only when an fd needs one. */
class MountTables {
  private readonly byNamespace = new Map<string, Map<number, { major: number; minor: number }>>();
  private readonly namespaceOf = new Map<string, string>();

  of(pidDir: string): Map<number, { major: number; minor: number }> {
    let ns = this.namespaceOf.get(pidDir);
    if (ns === undefined) {
      try {
        ns = readlinkSync(path.join(pidDir, 'ns', 'mnt'));
      } catch {
        ns = `pid:${pidDir}`;
      }
      this.namespaceOf.set(pidDir, ns);
    }
    let table = this.byNamespace.get(ns);
    if (!table) {
      try {
        table = parseMountinfo(readFileSync(path.join(pidDir, 'mountinfo'), 'utf8'));
      } catch {
        table = new Map();
      }
      this.byNamespace.set(ns, table);
    }
    return table;
  }
}

export const procfsSource: SourceDefinition<'procfs'> = {
  name: 'procfs',
  description: 'processes, open files and file locks from /proc (--path.procfs)',
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const cache = new ProcfsCache();
    return {
      collect: async ({ signal }) => {
        // The pools' directories, read afresh each time (a pool defined since the last collection counts).
        const watch = [...config['pool.dir'], ...(await libvirtPoolDirs(config['pool.libvirt-config-dir']))];
        return readProcfs(config['path.procfs'], signal, watch, cache);
      },
      close: async () => {},
    };
  },
};
