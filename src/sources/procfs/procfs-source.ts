// procfs source: processes, the open files detectors care about, and the kernel's lock table, in
// one pass over /proc per collection. Vanished processes and denied entries are skipped quietly.
// Besides locked files and qemu's files it keeps any process's fds on files in the pool directories:
// an image a backup tool or `qemu-img convert` reads without a lock is in use, not an orphan.
import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenFile, ProcessInfo, ProcfsSection } from '../../snapshot/procfs.js';
import type { SourceDefinition } from '../source.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { splitDev } from '../../util/devnum.js';
import { mapLimit } from '../../util/map-limit.js';
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

const CONCURRENCY = 32;
const QEMU_COMM = /^(qemu-system-|qemu-kvm$|kvm$)/;

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

export async function readProcfs(
  root: string,
  signal?: AbortSignal,
  watchDirs: readonly string[] = [],
): Promise<ProcfsSection> {
  const problems: string[] = [];
  const skips = new Skips(problems);
  let bootTimeSeconds: number;
  try {
    bootTimeSeconds = parseBootTime(await readFile(path.join(root, 'stat'), 'utf8'));
  } catch (e: unknown) {
    throw new SourceAbsentError(`cannot read ${path.join(root, 'stat')}: ${describeError(e)}`, { cause: e });
  }
  const { locks, malformed } = parseProcLocks(await readFile(path.join(root, 'locks'), 'utf8').catch(() => ''));
  for (const line of malformed) problems.push(`unparsed /proc/locks line: ${line}`);
  const lockedInodes = new Set(locks.map((l) => l.inode));

  const pids = (await readdir(root)).filter((n) => /^\d+$/.test(n)).map(Number);
  const processes: ProcessInfo[] = [];
  const openFiles: OpenFile[] = [];
  const mounts = new MountTables();

  await mapLimit(
    pids,
    CONCURRENCY,
    async (pid) => {
      const dir = path.join(root, String(pid));
      let proc: ProcessInfo;
      try {
        const [statText, cmdline, statusText] = await Promise.all([
          readFile(path.join(dir, 'stat'), 'utf8'),
          readFile(path.join(dir, 'cmdline')),
          readFile(path.join(dir, 'status'), 'utf8'),
        ]);
        const st = parsePidStat(statText);
        const status = parsePidStatus(statusText);
        proc = {
          pid,
          ppid: st.ppid,
          comm: st.comm,
          state: st.state,
          cmdline: parseCmdline(cmdline),
          uid: status.uid,
          startTimeSeconds: bootTimeSeconds + st.startTicks / USER_HZ,
          rssBytes: status.rssBytes,
          hugetlbBytes: status.hugetlbBytes,
        };
      } catch (e: unknown) {
        skips.record(e, `pid ${pid}`);
        return;
      }
      processes.push(proc);
      openFiles.push(...(await readOpenFiles(dir, proc, { lockedInodes, watchDirs }, mounts, skips)));
    },
    signal,
  );

  processes.sort((a, b) => a.pid - b.pid);
  openFiles.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  const restricted = !processes.some((p) => p.pid === 1);
  return { bootTimeSeconds, restricted, processes, openFiles, locks, problems, skipped: skips.counts };
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
): Promise<OpenFile[]> {
  let fds: string[];
  try {
    fds = await readdir(path.join(dir, 'fd'));
  } catch (e: unknown) {
    skips.record(e, `pid ${proc.pid} fd list`);
    return [];
  }
  const isQemu = QEMU_COMM.test(proc.comm);
  const kept: OpenFile[] = [];
  for (const fdName of fds) {
    const fdPath = path.join(dir, 'fd', fdName);
    try {
      const target = await readlink(fdPath);
      const device = isDeviceOfInterest(target);
      if (!device && !isRegularPath(target)) continue;
      let inode: number | null = null;
      let devMajor: number | null = null;
      let devMinor: number | null = null;
      // fdinfo, not stat(): stat of a file on a dead NFS server blocks a libuv thread for good,
      // while fdinfo (ino:, mnt_id:, lock:) is answered by the kernel without asking the filesystem.
      const info = parseFdInfo(await readFile(path.join(dir, 'fdinfo', fdName), 'utf8'));
      if (!device) {
        if (info.inode !== null) {
          inode = info.inode;
          const dev = info.mntId === null ? undefined : (await mounts.of(dir)).get(info.mntId);
          if (dev) ({ major: devMajor, minor: devMinor } = dev);
        } else {
          // Kernels before 5.14 have no ino: in fdinfo.
          const st = await stat(fdPath);
          inode = st.ino;
          ({ major: devMajor, minor: devMinor } = splitDev(st.dev));
        }
        if (!isQemu && !keep.lockedInodes.has(inode) && !isUnderDirs(target, keep.watchDirs)) continue;
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
  return kept;
}

/** Mount tables per mount namespace, read once per collection and only when an fd needs one. */
class MountTables {
  private readonly byNamespace = new Map<string, Promise<Map<number, { major: number; minor: number }>>>();

  async of(pidDir: string): Promise<Map<number, { major: number; minor: number }>> {
    const ns = await readlink(path.join(pidDir, 'ns', 'mnt')).catch(() => `pid:${pidDir}`);
    let table = this.byNamespace.get(ns);
    if (!table) {
      table = readFile(path.join(pidDir, 'mountinfo'), 'utf8').then(parseMountinfo, () => new Map());
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
    return {
      collect: async ({ signal }) => {
        // The pools' directories, read afresh each time (a pool defined since the last collection counts).
        const watch = [...config['pool.dir'], ...(await libvirtPoolDirs(config['pool.libvirt-config-dir']))];
        return readProcfs(config['path.procfs'], signal, watch);
      },
      close: async () => {},
    };
  },
};
