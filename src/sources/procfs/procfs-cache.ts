// What a procfs source keeps between collections: command lines, read once per process
// incarnation, off the loop thread and through a hung-call guard; and the fd links of each process as last
// listed (fd-table-memo.ts).
import { readFile } from 'node:fs/promises';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { parseCmdline } from './parse.js';
import type { FdTableMemo } from './fd-table-memo.js';
import { ProcessTable } from '../shared/process-table.js';

/**
 * What one procfs source keeps between collections: each process's command line (read once per
 * process), each process's fd links as last listed, and the guard that keeps a cmdline read stuck on a
 * process's memory lock from pinning libuv's threads.
 */
export class ProcfsCache {
  private readonly cmdlines = new Map<number, { key: string; cmdline: string[] }>();
  private readonly fdTables = new Map<number, FdTableMemo>();
  private collections = 0;
  /** The /proc walk's table when this source walks on its own (no SharedWork: run alone, or in a test). */
  readonly processes = new ProcessTable();
  private readonly guard: HungCallGuard<Buffer | 'hung'>;

  constructor(cmdlineDeadlineMs = 2000) {
    this.guard = new HungCallGuard<Buffer | 'hung'>(2, cmdlineDeadlineMs);
  }

  /** The cached command line of this process incarnation, if read before. */
  cmdline(pid: number, key: string): string[] | undefined {
    const hit = this.cmdlines.get(pid);
    return hit?.key === key ? hit.cmdline : undefined;
  }

  /** Reads and caches a command line; 'hung' when the read did not return in time (not cached). */
  async readCmdline(pid: number, key: string, file: string): Promise<string[] | 'hung'> {
    const raw = await this.guard.run(
      `${pid}:${key}`,
      () => readFile(file),
      () => 'hung' as const,
    );
    if (raw === 'hung') return raw;
    const cmdline = parseCmdline(raw);
    this.cmdlines.set(pid, { key, cmdline });
    return cmdline;
  }

  /** Counts a collection; the number picks whose turn it is to be listed afresh (fd-table-memo.ts). */
  nextCollection(): number {
    return this.collections++;
  }

  /** The fd links of this pid as last listed, if remembered. */
  fdTable(pid: number): FdTableMemo | undefined {
    return this.fdTables.get(pid);
  }

  rememberFdTable(pid: number, memo: FdTableMemo): void {
    this.fdTables.set(pid, memo);
  }

  forgetFdTable(pid: number): void {
    this.fdTables.delete(pid);
  }

  /** Forgets processes that are gone. */
  retain(pids: ReadonlySet<number>): void {
    for (const pid of this.cmdlines.keys()) if (!pids.has(pid)) this.cmdlines.delete(pid);
    for (const pid of this.fdTables.keys()) if (!pids.has(pid)) this.fdTables.delete(pid);
  }
}
