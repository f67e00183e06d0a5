// Who holds a lock on a given file. POSIX and flock locks name their pid in /proc/locks; OFD locks
// show pid -1 there, so their holder is the process whose fdinfo lists the same lock.
import type { FileStat } from '../snapshot/libvirt.js';
import type { OpenFile, ProcessInfo, ProcfsSection, ProcLock } from '../snapshot/procfs.js';
import { pushTo } from './multimap.js';
import { commandLineText } from './command-line-mask.js';

export interface LockHolder {
  pid: number;
  comm: string;
  cmdline: string;
  /** fd through which the lock is held (OFD locks), when known. */
  fd: number | null;
  /** The /proc/locks line, as the kernel printed it. */
  lockLine: string;
}

export interface ImageLockEvidence {
  image: string;
  /** Domains (name (uuid) state) that reference this image. */
  domains: string[];
  holders: LockHolder[];
}

function sameDevice(lock: ProcLock, file: FileStat): boolean {
  return lock.devMajor === file.devMajor && lock.devMinor === file.devMinor;
}

/** Indexes what detectors need to answer "who locks this file" in O(1) per file. */
export class LockTable {
  private readonly locksByInode = new Map<number, ProcLock[]>();
  private readonly fdsByInode = new Map<number, OpenFile[]>();
  private readonly processes: Map<number, ProcessInfo>;

  constructor(procfs: ProcfsSection) {
    for (const lock of procfs.locks) pushTo(this.locksByInode, lock.inode, lock);
    for (const f of procfs.openFiles) if (f.inode !== null) pushTo(this.fdsByInode, f.inode, f);
    this.processes = new Map(procfs.processes.map((p) => [p.pid, p]));
  }

  holdersOf(file: FileStat): LockHolder[] {
    if (!file.exists || file.inode === null) return [];
    const fds = (this.fdsByInode.get(file.inode) ?? []).filter(
      (f) =>
        f.target === file.path ||
        f.target === `${file.path} (deleted)` ||
        (f.devMajor === file.devMajor && f.devMinor === file.devMinor),
    );
    // On btrfs/overlayfs stat() reports another device than the kernel prints in /proc/locks, so a
    // lock on the same inode counts when an fd of that inode is open at the image's own path.
    const pathConfirmed = fds.some((f) => f.target === file.path);
    const locks = (this.locksByInode.get(file.inode) ?? []).filter((l) => sameDevice(l, file) || pathConfirmed);
    const holders = new Map<string, LockHolder>();
    for (const lock of locks) {
      if (lock.pid > 0) {
        addHolder(holders, this.processes, lock.pid, null, lock.raw);
        continue;
      }
      for (const f of fds) {
        if (
          f.locks.some(
            (l) =>
              l.inode === lock.inode && l.start === lock.start && l.end === lock.end && l.lockClass === lock.lockClass,
          )
        ) {
          addHolder(holders, this.processes, f.pid, f.fd, lock.raw);
        }
      }
    }
    return [...holders.values()];
  }
}

function addHolder(
  into: Map<string, LockHolder>,
  processes: Map<number, ProcessInfo>,
  pid: number,
  fd: number | null,
  line: string,
): void {
  const key = `${pid}/${fd ?? ''}`;
  const existing = into.get(key);
  if (existing) {
    if (!existing.lockLine.split('\n').includes(line)) existing.lockLine += `\n${line}`;
    return;
  }
  const p = processes.get(pid);
  into.set(key, {
    pid,
    comm: p?.comm ?? '(exited)',
    cmdline: commandLineText(p?.cmdline ?? [], 512),
    fd,
    lockLine: line,
  });
}
