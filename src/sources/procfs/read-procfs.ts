// One pass over /proc per collection: processes, the open files detectors care about
// (open-files.ts), and the kernel's lock table. Vanished processes and denied entries are skipped quietly.
// The list of processes with their stat is the collection's one walk of /proc, shared with the virthandler
// source (shared/process-list.ts); the fd links of a process that has not run since the last collection are
// taken from then (fd-table-memo.ts says when, and why no finding is lost).
//
// The pass uses synchronous reads, in slices that yield to the event loop every few milliseconds:
// stat, status, fd links, fdinfo, mountinfo and (for qemu) cgroup are answered by the kernel without touching a
// filesystem or another process's memory, and a synchronous read of them costs a few microseconds
// where a promise through libuv's thread pool costs tens (hundreds of processes, thousands of fds).
// Only cmdline can block (the kernel takes the process's memory lock to copy it), so it is read off
// the loop thread, through a hung-call guard, once per process (pid, start time and comm: an exec
// changes comm) and cached.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenFile, ProcessInfo, ProcfsSection } from '../../snapshot/procfs.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { mapLimit } from '../../util/map-limit.js';
import { Slicer } from '../../util/slicer.js';
import { describeError, isVanished } from '../../util/fs-errors.js';
import { USER_HZ, parseBootTime, parsePidStatus, parseProcLocks, parseRunCounters, type PidStatus } from './parse.js';
import { ProcfsCache } from './procfs-cache.js';
import { MountTables, isQemuComm, keepOpenFiles, listFdLinks, type KeepRules } from './open-files.js';
import { reusableFdLinks, unchangedByRunStamp, type ProcessNow } from './fd-table-memo.js';
import type { SharedWork } from '../shared-work.js';
import { sharedProcessList } from '../shared/process-list.js';
import { readSmallFile } from '../shared/read-small-file.js';
import type { PidStat } from '../shared/pid-stat.js';
import { podUidFromProcCgroup } from '../shared/kubepods-cgroup.js';
import { Skips } from './skips.js';

/** Longest synchronous run before timers and sockets get the event loop back. */
const SLICE_MS = 4;
/** cmdline reads in flight at once (only processes new since the last collection are read). */
const CMDLINE_CONCURRENCY = 8;

export async function readProcfs(
  root: string,
  signal?: AbortSignal,
  watchDirs: readonly string[] = [],
  cache: ProcfsCache = new ProcfsCache(),
  shared?: SharedWork,
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

  const { listed, failed } = await sharedProcessList(root, shared, signal, cache.processes);
  for (const { pid, error } of failed) skips.record(error, `pid ${pid}`);
  const processes: ProcessInfo[] = [];
  const openFiles: OpenFile[] = [];
  const mounts = new MountTables();
  const slicer = new Slicer(signal, SLICE_MS);
  const withoutCmdline: Array<{ proc: ProcessInfo; key: string }> = [];
  const base = path.join(root, '/');
  const collection = cache.nextCollection();

  for (const { pid, stat: st, runStamp } of listed) {
    if (slicer.due) await slicer.pause();
    const key = `${st.startTicks}:${st.comm}`;
    const now: ProcessNow = { ...st, pid, runStamp, counters: null };
    const memo = cache.fdTable(pid);
    // Not run since its links were listed: status and the fd list are as they were (fd-table-memo.ts).
    const unchanged = unchangedByRunStamp(memo, now, collection);
    const dir = `${base}${pid}`;
    if (unchanged && sameAsListed(unchanged.process, st) && cache.cmdline(pid, key) !== undefined) {
      // The very object of the last collection: nothing of it can have changed, and no garbage for the sleepers.
      processes.push(unchanged.process);
      if (unchanged.links.length > 0) {
        await keepOpenFiles(dir, unchanged.process, unchanged.links, true, keep, mounts, skips, slicer, openFiles);
      }
      continue;
    }
    let status: PidStatus;
    if (unchanged) {
      const then = unchanged.process;
      status = { uid: then.uid, rssBytes: then.rssBytes, hugetlbBytes: then.hugetlbBytes ?? null };
    } else {
      try {
        const statusText = readSmallFile(`${dir}/status`);
        status = parsePidStatus(statusText);
        now.counters = parseRunCounters(statusText);
      } catch (e: unknown) {
        skips.record(e, `pid ${pid}`);
        continue;
      }
    }
    const proc: ProcessInfo = {
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
    // Its parent or state read since: this object stands for it from now on.
    if (unchanged) unchanged.process = proc;
    if (isQemuComm(proc.comm)) {
      const podUid = readPodUid(dir);
      if (podUid !== null) proc.podUid = podUid;
    }
    if (cache.cmdline(pid, key) === undefined) withoutCmdline.push({ proc, key });
    processes.push(proc);
    const remembered = unchanged?.links ?? reusableFdLinks(memo, now, collection);
    if (remembered) {
      await keepOpenFiles(dir, proc, remembered, true, keep, mounts, skips, slicer, openFiles);
      continue;
    }
    const fds = await listFdLinks(dir, pid, skips, slicer);
    if (fds?.complete && st.threads === 1 && (now.counters?.threads ?? 1) === 1)
      cache.rememberFdTable(pid, {
        startTicks: st.startTicks,
        runStamp,
        counters: now.counters,
        process: proc,
        links: fds.links,
      });
    else cache.forgetFdTable(pid);
    if (fds) await keepOpenFiles(dir, proc, fds.links, false, keep, mounts, skips, slicer, openFiles);
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

/** What the stat of a process read then shows is what it shows now (its parent or state may have been read since). */
function sameAsListed(then: ProcessInfo, st: PidStat): boolean {
  return then.ppid === st.ppid && then.state === st.state && then.comm === st.comm;
}

/**
 * The pod a process runs in, from /proc/<pid>/cgroup (a KubeVirt qemu's is its virt-launcher pod); null when
 * the file cannot be read (gone, denied, a /proc without it) or names no pod: the process is still reported.
 */
function readPodUid(dir: string): string | null {
  try {
    return podUidFromProcCgroup(readFileSync(path.join(dir, 'cgroup'), 'utf8'));
  } catch {
    return null;
  }
}
