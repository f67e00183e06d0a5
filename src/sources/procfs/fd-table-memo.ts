// A process's fd links as listed at an earlier collection, and when they may stand for this one. Listing
// /proc/<pid>/fd and a readlink per fd is most of a busy host's /proc pass; a process that has not run since
// cannot have opened or closed a file.
//
// "Has not run", by the first of these the kernel shows:
// - its run stamp (/proc/<pid>/schedstat: run time, wait time, run count; read in the walk, before the links were
//   listed) is the same (shared/process-table.ts says why a task that ran moves it). Then status is not read
//   either: its uid is as it was (only the task itself changes its credentials), so are its hugepages but for the
//   sharers and debuggers below, and its RSS is the one read then (RSS reaches a finding only for qemu, read always);
// - without schedstat (a kernel without CONFIG_SCHED_INFO): its main thread's voluntary and involuntary context
//   switch counts (status) are those read before the links were listed, and stat does not show it running (R) now.
//   A task that ran since was switched in, and to be anything but R now it was switched out again, which counts a
//   switch.
// Only single-threaded processes (one thread then and now): both signals are the main thread's, and only a running
// thread makes another. A process that ran is listed again, so a file it opened since the last collection is found.
//
// What this leaves, and why no finding is lost:
// - only links that can matter are kept (a device of interest or a regular file); a socket, pipe, anon inode or
//   file under /dev, /proc or /sys stays one (a rename stays within its filesystem);
// - the fds found to matter are read afresh each time: their link (a file deleted since shows " (deleted)"),
//   fdinfo (inode, mount, locks: another process may lock a shared open file description), so a lock taken
//   since by anyone is seen;
// - two things change what a sleeping process holds without it running: an fd table shared with another process
//   (clone(CLONE_FILES) without CLONE_THREAD, which common programs do not use) and a held file renamed into a pool
//   directory; memory shared the same way (clone(CLONE_VM), vfork) or written by a debugger (ptrace,
//   process_vm_writev) can gain hugepages. Every process is listed and its status read afresh at least every
//   FULL_READ_EVERY collections (in turns staggered by pid), so any of these is seen late, not lost;
// - qemu processes are listed afresh every time.
import type { ProcessInfo } from '../../snapshot/procfs.js';
import type { RunCounters } from './parse.js';
import { isQemuComm } from './open-files.js';
import { FULL_STAT_EVERY } from '../shared/process-table.js';

/**
 * A process is listed afresh at least once in this many collections, whatever its counters say: the /proc walk's
 * period, so its stat, status and fd list are read afresh in the same collection.
 */
export const FULL_READ_EVERY = FULL_STAT_EVERY;

/** One fd whose link can matter to a detector: a device of interest or a regular file. */
export interface FdLink {
  fd: string;
  target: string;
}

/** The links of a process listed at an earlier collection, with what identified it and its run signals then. */
export interface FdTableMemo {
  startTicks: number;
  /** The run stamp read before the links were listed; null without schedstat. */
  runStamp: string | null;
  counters: RunCounters | null;
  /** The process as read then (status included): stands while it has not run. */
  process: ProcessInfo;
  links: FdLink[];
}

export interface ProcessNow {
  pid: number;
  comm: string;
  state: string;
  startTicks: number;
  threads: number;
  runStamp: string | null;
  /** From status, when read this collection (not read when the run stamp already answers). */
  counters: RunCounters | null;
}

/** Whether the remembered process may stand for this one at all: same incarnation, not a qemu, not its turn. */
function candidate(memo: FdTableMemo | undefined, now: ProcessNow, collection: number): memo is FdTableMemo {
  if (!memo || (collection + now.pid) % FULL_READ_EVERY === 0) return false;
  return memo.startTicks === now.startTicks && now.state !== 'R' && !isQemuComm(now.comm) && now.threads === 1;
}

/** The memo when the run stamp shows the process has not run since its links were listed: status need not be read. */
export function unchangedByRunStamp(
  memo: FdTableMemo | undefined,
  now: ProcessNow,
  collection: number,
): FdTableMemo | null {
  if (!candidate(memo, now, collection) || now.runStamp === null) return null;
  return memo.runStamp === now.runStamp ? memo : null;
}

/** The remembered links when the status counters show the process has not run since they were listed, else null. */
export function reusableFdLinks(memo: FdTableMemo | undefined, now: ProcessNow, collection: number): FdLink[] | null {
  if (!candidate(memo, now, collection) || !now.counters || !memo.counters) return null;
  // Both stamped: the stamps have answered (unchangedByRunStamp), and they said it ran.
  if (now.runStamp !== null && memo.runStamp !== null) return null;
  const was = memo.counters;
  const is = now.counters;
  const ran =
    was.threads !== 1 ||
    is.threads !== 1 ||
    was.voluntarySwitches !== is.voluntarySwitches ||
    was.involuntarySwitches !== is.involuntarySwitches;
  return ran ? null : memo.links;
}
