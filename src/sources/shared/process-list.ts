// The processes under a procfs root, each with its /proc/<pid>/stat parsed: one walk of /proc per collection,
// shared through the collection's SharedWork by the sources that need it (procfs reads every process further,
// virthandler looks for its comm), so a busy host's thousands of processes are listed and their stat read once.
//
// stat is answered by the kernel from the task itself: a synchronous read costs microseconds where a promise
// through libuv's thread pool costs tens, so the walk reads synchronously, in slices that yield to the event loop.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Slicer } from '../../util/slicer.js';
import type { SharedWork } from '../shared-work.js';
import { parsePidStat, type PidStat } from './pid-stat.js';
import { readSmallFile } from './read-small-file.js';

/** Longest synchronous run before timers and sockets get the event loop back. */
const SLICE_MS = 4;
const PID_NAME = /^\d+$/;

export interface ProcessList {
  /** The processes whose stat was read and parsed, in the order /proc lists them. */
  listed: Array<{ pid: number; stat: PidStat }>;
  /** Entries whose stat could not be read or parsed (exited meanwhile, denied, malformed): each source decides. */
  failed: Array<{ pid: number; error: unknown }>;
}

export async function readProcessList(root: string, signal?: AbortSignal): Promise<ProcessList> {
  const base = path.join(root, '/');
  const slicer = new Slicer(signal, SLICE_MS);
  const list: ProcessList = { listed: [], failed: [] };
  for (const name of readdirSync(root)) {
    if (!PID_NAME.test(name)) continue;
    const pid = Number(name);
    await slicer.pause();
    try {
      list.listed.push({ pid, stat: parsePidStat(readSmallFile(`${base}${name}/stat`)) });
    } catch (error: unknown) {
      list.failed.push({ pid, error });
    }
  }
  return list;
}

/**
 * The collection's process list, read by the first source that asks; without SharedWork (a source run on its
 * own) a list of its own. The shared walk is not cut short by one source's timeout (the other source still
 * needs it, and it is kernel-answered reads only): each caller checks its own signal when it has the list.
 */
export async function sharedProcessList(
  root: string,
  shared: SharedWork | undefined,
  signal?: AbortSignal,
): Promise<ProcessList> {
  if (!shared) return readProcessList(root, signal);
  const list = await shared.once(`process-list:${root}`, () => readProcessList(root));
  signal?.throwIfAborted();
  return list;
}
