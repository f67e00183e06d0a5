// Pure parsers for /proc text formats: /proc/stat btime, /proc/<pid>/stat, status (and its run counters), cmdline,
// /proc/locks and the lock:/iff:/mnt_id: lines of /proc/<pid>/fdinfo/<fd>.
import type { LockLine, ProcLock } from '../../snapshot/procfs.js';

/** Linux exposes process times in USER_HZ ticks, fixed at 100 on every architecture's ABI. */
export const USER_HZ = 100;

export function parseBootTime(procStat: string): number {
  const m = /^btime\s+(\d+)$/m.exec(procStat);
  if (!m) throw new Error('no btime line in /proc/stat');
  return Number(m[1]);
}

export { parsePidStat, type PidStat } from '../shared/pid-stat.js';

export function parseCmdline(raw: Buffer | string): string[] {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface PidStatus {
  uid: number | null;
  rssBytes: number | null;
  hugetlbBytes: number | null;
}

export function parsePidStatus(text: string): PidStatus {
  const uid = /^Uid:\s+(\d+)/m.exec(text);
  const rss = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  const hugetlb = /^HugetlbPages:\s+(\d+)\s*kB/m.exec(text);
  return {
    uid: uid ? Number(uid[1]) : null,
    rssBytes: rss ? Number(rss[1]) * 1024 : null,
    hugetlbBytes: hugetlb ? Number(hugetlb[1]) * 1024 : null,
  };
}

/** Threads of a process and the context switches of its main thread, from /proc/<pid>/status. */
export interface RunCounters {
  threads: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** The run counters of a status file; null when it shows them not (a kernel or a fixture without them). */
export function parseRunCounters(text: string): RunCounters | null {
  const threads = /^Threads:\s+(\d+)/m.exec(text);
  const voluntary = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(text);
  const involuntary = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(text);
  if (!threads || !voluntary || !involuntary) return null;
  return {
    threads: Number(threads[1]),
    voluntarySwitches: Number(voluntary[1]),
    involuntarySwitches: Number(involuntary[1]),
  };
}

/**
 * One lock in /proc/locks format: "1: OFDLCK ADVISORY  READ -1 00:2d:1234 100 101". The device is
 * printed major:minor in hex, the inode in decimal; "->" marks a request still waiting (not held).
 */
export function parseLockFields(fields: string[], raw: string): LockLine | null {
  if (fields[0] === '->') return null;
  const [lockClass, mode, access, pidText, devIno, startText, endText] = fields;
  if (!lockClass || !mode || !access || !pidText || !devIno || !startText || !endText) return null;
  const dev = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/i.exec(devIno);
  if (!dev) return null;
  const pid = Number(pidText);
  const start = Number(startText);
  const end = endText === 'EOF' ? null : Number(endText);
  if (!Number.isInteger(pid) || !Number.isFinite(start) || (end !== null && !Number.isFinite(end))) return null;
  return {
    lockClass,
    mode,
    access,
    pid,
    devMajor: parseInt(dev[1] as string, 16),
    devMinor: parseInt(dev[2] as string, 16),
    inode: Number(dev[3]),
    start,
    end,
    raw,
  };
}

export interface ProcLocksResult {
  locks: ProcLock[];
  malformed: string[];
}

export function parseProcLocks(text: string): ProcLocksResult {
  const locks: ProcLock[] = [];
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const m = /^(\d+):\s+(.*)$/.exec(trimmed);
    const lock = m ? parseLockFields((m[2] as string).split(/\s+/), trimmed) : null;
    if (lock) locks.push({ ...lock, ordinal: Number(m![1]) });
    else if (!(m && (m[2] as string).startsWith('->'))) malformed.push(trimmed);
  }
  return { locks, malformed };
}

export interface FdInfo {
  mntId: number | null;
  inode: number | null;
  locks: LockLine[];
  tapInterface: string | null;
  vfioDeviceSyspath: string | null;
}

export function parseFdInfo(text: string): FdInfo {
  const info: FdInfo = { mntId: null, inode: null, locks: [], tapInterface: null, vfioDeviceSyspath: null };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'mnt_id') info.mntId = Number(value);
    else if (key === 'ino') info.inode = Number(value);
    else if (key === 'iff') info.tapInterface = value;
    else if (key === 'vfio-device-syspath') info.vfioDeviceSyspath = value;
    else if (key === 'lock') {
      const fields = value.split(/\s+/);
      // fdinfo lock lines keep the "N:" ordinal of /proc/locks format.
      const lock = parseLockFields(/^\d+:$/.test(fields[0] ?? '') ? fields.slice(1) : fields, value);
      if (lock) info.locks.push(lock);
    }
  }
  return info;
}

/**
 * /proc/<pid>/mountinfo: mount id → the device of its superblock ("98:0", decimal), which is the
 * device /proc/locks prints (unlike stat()'s st_dev on btrfs subvolumes and overlayfs).
 */
export function parseMountinfo(text: string): Map<number, { major: number; minor: number }> {
  const mounts = new Map<number, { major: number; minor: number }>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+\d+\s+(\d+):(\d+)\s/.exec(line);
    if (m) mounts.set(Number(m[1]), { major: Number(m[2]), minor: Number(m[3]) });
  }
  return mounts;
}
