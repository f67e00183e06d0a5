// A process's fd links as listed at an earlier collection, and when they may stand for this one. Listing
// /proc/<pid>/fd and a readlink per fd is most of a busy host's /proc pass; a process that has not run since
// cannot have opened or closed a file.
//
// "Has not run": its main thread's voluntary and involuntary context switch counts (status) are those read
// before the links were listed, and stat does not show it running (R) now. A task that ran since was switched
// in, and to be anything but R now it was switched out again, which counts a switch. Only single-threaded
// processes (Threads: 1 then and now): the counts are the main thread's, and only a running thread makes
// another. A process that ran is listed again, so a file it opened since the last collection is found now.
//
// What this leaves, and why no finding is lost:
// - only links that can matter are kept (a device of interest or a regular file); a socket, pipe, anon inode or
//   file under /dev, /proc or /sys stays one (a rename stays within its filesystem);
// - the fds found to matter are read afresh each time: their link (a file deleted since shows " (deleted)"),
//   fdinfo (inode, mount, locks: another process may lock a shared open file description), so a lock taken
//   since by anyone is seen;
// - two things change what a sleeping process holds without it running: an fd table shared with another process
//   (clone(CLONE_FILES) without CLONE_THREAD, which common programs do not use) and a held file renamed into a pool
//   directory. Every process is listed afresh at least every FULL_READ_EVERY collections (in turns staggered by
//   pid), so either is seen late, not lost;
// - qemu processes are listed afresh every time.
import type { RunCounters } from './parse.js';
import { isQemuComm } from './open-files.js';

/** A process is listed afresh at least once in this many collections, whatever its counters say. */
export const FULL_READ_EVERY = 16;

/** One fd whose link can matter to a detector: a device of interest or a regular file. */
export interface FdLink {
  fd: string;
  target: string;
}

/** The links of a process listed at an earlier collection, with what identified it and its counters then. */
export interface FdTableMemo {
  startTicks: number;
  counters: RunCounters;
  links: FdLink[];
}

export interface ProcessNow {
  pid: number;
  comm: string;
  state: string;
  startTicks: number;
  counters: RunCounters | null;
}

/** The remembered links when the process has not run since they were listed, else null (list them again). */
export function reusableFdLinks(memo: FdTableMemo | undefined, now: ProcessNow, collection: number): FdLink[] | null {
  if (!memo || !now.counters || (collection + now.pid) % FULL_READ_EVERY === 0) return null;
  if (memo.startTicks !== now.startTicks || now.state === 'R' || isQemuComm(now.comm)) return null;
  const was = memo.counters;
  const is = now.counters;
  const ran =
    was.threads !== 1 ||
    is.threads !== 1 ||
    was.voluntarySwitches !== is.voluntarySwitches ||
    was.involuntarySwitches !== is.involuntarySwitches;
  return ran ? null : memo.links;
}
