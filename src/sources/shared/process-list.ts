// The processes under a procfs root, each with its /proc/<pid>/stat parsed: one walk of /proc per collection,
// shared through the collection's SharedWork by the sources that need it (procfs reads every process further,
// virthandler looks for its comm), so a busy host's thousands of processes are listed and their stat read once.
// With a ProcessTable (process-table.ts) each process's run stamp is read first, and the stat of one that has not
// run since the last walk is taken from then.
//
// stat is answered by the kernel from the task itself: a synchronous read costs microseconds where a promise
// through libuv's thread pool costs tens, so the walk reads synchronously, in slices that yield to the event loop.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Slicer } from '../../util/slicer.js';
import { errorCode } from '../../util/fs-errors.js';
import type { SharedWork } from '../shared-work.js';
import { parsePidStat, type PidStat } from './pid-stat.js';
import { ProcessTable, parseRunStamp } from './process-table.js';
import { readSmallFile, readSmallFileAndInode } from './read-small-file.js';

/** Longest synchronous run before timers and sockets get the event loop back. */
const SLICE_MS = 4;
const PID_NAME = /^\d+$/;

export interface ListedProcess {
  pid: number;
  stat: PidStat;
  /**
   * /proc/<pid>/schedstat as read this collection before anything else of the process; the same stamp at two
   * collections means it has not run in between (process-table.ts). null when not read or showing no runs.
   */
  runStamp: string | null;
}

export interface ProcessList {
  /** The processes whose stat was read and parsed (or kept, unchanged), in the order /proc lists them. */
  listed: ListedProcess[];
  /** Entries whose stat could not be read or parsed (exited meanwhile, denied, malformed): each source decides. */
  failed: Array<{ pid: number; error: unknown }>;
}

export async function readProcessList(root: string, signal?: AbortSignal, table?: ProcessTable): Promise<ProcessList> {
  const base = path.join(root, '/');
  const slicer = new Slicer(signal, SLICE_MS);
  const list: ProcessList = { listed: [], failed: [] };
  table?.nextCollection();
  for (const name of readdirSync(root)) {
    if (!PID_NAME.test(name)) continue;
    const pid = Number(name);
    if (slicer.due) await slicer.pause();
    let runStamp: string | null = null;
    let stampMissing = false;
    if (table?.readsRunStamps) {
      try {
        const { text, inode } = readSmallFileAndInode(`${base}${name}/schedstat`);
        runStamp = parseRunStamp(text, inode);
      } catch (error: unknown) {
        // Gone (its stat will say so too), or a kernel without schedstat (its stat will be there).
        stampMissing = errorCode(error) === 'ENOENT';
      }
      const unchanged = table.unchangedStat(pid, runStamp);
      if (unchanged) {
        list.listed.push({ pid, stat: unchanged, runStamp });
        continue;
      }
    }
    try {
      const stat = parsePidStat(readSmallFile(`${base}${name}/stat`));
      // Looked at again: a pid freed and taken by a new process between the two reads is not a kernel without it.
      if (stampMissing && !existsSync(`${base}${name}/schedstat`)) table?.noRunStamps();
      table?.remember(pid, stat, runStamp);
      list.listed.push({ pid, stat, runStamp });
    } catch (error: unknown) {
      list.failed.push({ pid, error });
    }
  }
  table?.dropUnseen();
  return list;
}

/**
 * The collection's process list, read by the first source that asks; without SharedWork (a source run on its
 * own) a list of its own, with the caller's table if it keeps one. The shared walk keeps its table in the
 * SharedWork's store, and is not cut short by one source's timeout (the other source still needs it, and it is
 * kernel-answered reads only): each caller checks its own signal when it has the list.
 */
export async function sharedProcessList(
  root: string,
  shared: SharedWork | undefined,
  signal?: AbortSignal,
  ownTable?: ProcessTable,
): Promise<ProcessList> {
  if (!shared) return readProcessList(root, signal, ownTable);
  const table = shared.kept(`process-table:${root}`, () => new ProcessTable());
  const list = await shared.once(`process-list:${root}`, () => readProcessList(root, undefined, table));
  signal?.throwIfAborted();
  return list;
}
