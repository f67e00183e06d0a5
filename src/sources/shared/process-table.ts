// What a /proc walk keeps for the next one: each process's stat and its run stamp (/proc/<pid>/schedstat) read
// just before it. A process whose run stamp has not moved has not run since, so its stat is taken from then instead
// of read again: on a busy host most processes sleep through a collection, and one small file per process is
// what the walk then costs (reading schedstat costs about half of what stat or status does).
//
// The run stamp is the main thread's "run time, wait time, run count" (ns, ns, switches in). A task that ran since
// was switched in (the count moves) or, on a CPU all along, had its run time added at a tick or at switching out.
// A task that has not run cannot have exec'd, renamed itself (comm), exited or started a thread, so its stat is
// as it was, but for what others change: its parent (re-parented when the parent exits) and R for a task woken but
// not yet on a CPU. Neither reaches a finding. Only single-threaded processes are kept (the stamp is the main
// thread's), and every process's stat is read afresh at least once in FULL_STAT_EVERY collections (turns
// staggered by pid).
//
// A pid taken by a new process is never taken for the old one: the stamp carries the inode number of the
// schedstat file it was read from, and the kernel gives a new process's /proc/<pid> files new inodes (numbers
// from a counter, not reused until it wraps at 2^32). A stamp of no runs is never trusted either.
import type { PidStat } from './pid-stat.js';

/** Every process's stat is read afresh at least once in this many collections. */
export const FULL_STAT_EVERY = 16;

interface Kept {
  stat: PidStat;
  runStamp: string;
  /** The collection that last listed the pid (entries not listed by the latest are dropped). */
  seen: number;
}

/**
 * "inode:run wait count" of /proc/<pid>/schedstat read from the file of that inode; null when it shows no runs
 * (schedstats off on older kernels) or is not three numbers.
 */
export function parseRunStamp(text: string, inode: number): string | null {
  const stamp = text.trim();
  return RUN_STAMP.test(stamp) ? `${inode}:${stamp}` : null;
}

/** Run time, wait time, a run count above 0. */
const RUN_STAMP = /^\d+ \d+ [1-9]\d*$/;

export class ProcessTable {
  private readonly kept = new Map<number, Kept>();
  /**
   * Counted from 0 as procfs counts its collections: a process's turn to have its stat read afresh is then the turn
   * its status and fd list are read afresh too (fd-table-memo.ts), one set of processes a collection, not two.
   */
  private collection = -1;
  /** False once a process showed a stat but no schedstat: this kernel has none (CONFIG_SCHED_INFO off). */
  private hasRunStamps = true;

  /** Starts a walk: the number of this collection, 0 first. */
  nextCollection(): number {
    return ++this.collection;
  }

  /** Whether to read schedstat at all (off for good once a /proc showed it has none). */
  get readsRunStamps(): boolean {
    return this.hasRunStamps;
  }

  /** A process with a stat and no schedstat: this /proc has none. */
  noRunStamps(): void {
    this.hasRunStamps = false;
    this.kept.clear();
  }

  /** The stat read at an earlier collection, when the process has not run since and it is not its turn. */
  unchangedStat(pid: number, runStamp: string | null): PidStat | null {
    const kept = this.kept.get(pid);
    if (!kept || runStamp === null || kept.runStamp !== runStamp) return null;
    if (kept.stat.threads !== 1 || kept.stat.state === 'R') return null;
    if ((this.collection + pid) % FULL_STAT_EVERY === 0) return null;
    kept.seen = this.collection;
    return kept.stat;
  }

  /** A stat read now, after the run stamp: kept for the next collection. */
  remember(pid: number, stat: PidStat, runStamp: string | null): void {
    if (runStamp === null || stat.threads !== 1) this.kept.delete(pid);
    else this.kept.set(pid, { stat, runStamp, seen: this.collection });
  }

  /** Forgets the pids this collection did not list (gone, or failed to read). */
  dropUnseen(): void {
    for (const [pid, kept] of this.kept) if (kept.seen !== this.collection) this.kept.delete(pid);
  }
}
