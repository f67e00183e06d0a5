// What the benchmark scripts measure a process and a series with: percentiles, a process's CPU ticks
// (utime + stime, USER_HZ) and resident memory from /proc.
import { readFile } from 'node:fs/promises';

/** USER_HZ: the ticks /proc/<pid>/stat counts CPU time in. */
export const USER_HZ = 100;

/** The p-quantile (0..1) of a list, nearest rank. */
export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

export async function cpuTicks(pid: number): Promise<number> {
  const { user, system } = await cpuTicksSplit(pid);
  return user + system;
}

/** A process's CPU ticks in user space (utime) and in the kernel on its behalf (stime). */
export async function cpuTicksSplit(pid: number): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

export async function rssMiB(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) / 1024;
}
