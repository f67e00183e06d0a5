// The parser of /proc/<pid>/stat, the one file of a process both the procfs and the virthandler sources read.

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  startTicks: number;
  /** num_threads: a process of one thread is all its main thread's schedstat shows. */
  threads: number;
}

/** /proc/<pid>/stat: comm is in parentheses and may itself contain spaces and ')'. */
export function parsePidStat(text: string): PidStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('malformed stat line');
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); num_threads is field 20, starttime field 22.
  const ppid = Number(rest[1]);
  const threads = Number(rest[17]);
  const startTicks = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(threads) || !Number.isFinite(startTicks))
    throw new Error('malformed stat fields');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid,
    startTicks,
    threads,
  };
}
