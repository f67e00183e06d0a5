// The open files of one process that detectors care about: device fds (vfio, tun, vhost, iommu),
// and regular files that are locked, held by qemu, or inside a watched (pool) directory. Identity
// comes from fdinfo and the mount table of the process's namespace, never from stat() of the file.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenFile, ProcessInfo } from '../../snapshot/procfs.js';
import { splitDev } from '../../util/devnum.js';
import type { Slicer } from '../../util/slicer.js';
import type { Skips } from './skips.js';
import type { FdLink } from './fd-table-memo.js';
import { parseFdInfo, parseMountinfo } from './parse.js';

const QEMU_COMM = /^(qemu-system-|qemu-kvm$|kvm$)/;

/** A qemu process by its comm (`qemu-system-x86`, truncated to 15 characters; `qemu-kvm`). */
export const isQemuComm = (comm: string): boolean => QEMU_COMM.test(comm);

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

export interface KeepRules {
  lockedInodes: Set<number>;
  watchDirs: readonly string[];
}

/**
 * The fds of a process whose link can matter (a device of interest or a regular file), with `complete` false
 * when some link could not be read; null when the fd list itself could not be read.
 */
export async function listFdLinks(
  dir: string,
  pid: number,
  skips: Skips,
  slicer: Slicer,
): Promise<{ links: FdLink[]; complete: boolean } | null> {
  let fds: string[];
  try {
    fds = readdirSync(`${dir}/fd`);
  } catch (e: unknown) {
    skips.record(e, `pid ${pid} fd list`);
    return null;
  }
  const links: FdLink[] = [];
  let complete = true;
  for (const [i, fd] of fds.entries()) {
    if (i % 64 === 63) await slicer.pause();
    try {
      const target = readlinkSync(`${dir}/fd/${fd}`);
      if (isDeviceOfInterest(target) || isRegularPath(target)) links.push({ fd, target });
    } catch (e: unknown) {
      complete = false;
      skips.record(e, `pid ${pid} fd ${fd}`);
    }
  }
  return { links, complete };
}

/**
 * Keeps the fds of `links` the detectors care about, with their fdinfo. Links `remembered` from an earlier
 * collection (fd-table-memo.ts) are read again for each fd kept, so its target is today's.
 */
export async function keepOpenFiles(
  dir: string,
  proc: ProcessInfo,
  links: readonly FdLink[],
  remembered: boolean,
  keep: KeepRules,
  mounts: MountTables,
  skips: Skips,
  slicer: Slicer,
  kept: OpenFile[],
): Promise<void> {
  const isQemu = QEMU_COMM.test(proc.comm);
  for (const [i, { fd: fdName, target: listed }] of links.entries()) {
    if (i % 64 === 63) await slicer.pause();
    const fdPath = `${dir}/fd/${fdName}`;
    try {
      const device = isDeviceOfInterest(listed);
      // Another process's regular file matters only when locked or in a pool directory: the path
      // answers the second, and without any lock on the host the first needs no fdinfo.
      const watched = isQemu || isUnderDirs(listed, keep.watchDirs);
      if (!device && !watched && keep.lockedInodes.size === 0) continue;
      let inode: number | null = null;
      let devMajor: number | null = null;
      let devMinor: number | null = null;
      // fdinfo, not stat(): stat of a file on a dead NFS server blocks a libuv thread for good,
      // while fdinfo (ino:, mnt_id:, lock:) is answered by the kernel without asking the filesystem.
      const info = parseFdInfo(readFileSync(`${dir}/fdinfo/${fdName}`, 'utf8'));
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
        target: remembered ? readlinkSync(fdPath) : listed,
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
export class MountTables {
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
