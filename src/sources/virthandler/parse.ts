// Pure parsers for the virt-handler cgroup reader: /proc/<pid>/cgroup, /proc/<pid>/environ, memory
// files of cgroup v1 and v2, and the pod uid in a kubepods cgroup path.

export interface CgroupRef {
  version: 1 | 2;
  path: string;
}

/** The memory cgroup of a process: the v2 unified line (`0::/path`) or the v1 `memory` controller. */
export function parseProcCgroup(text: string): CgroupRef | null {
  let v1: CgroupRef | null = null;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') return { version: 2, path: m[3] as string };
    if ((m[2] as string).split(',').includes('memory')) v1 = { version: 1, path: m[3] as string };
  }
  return v1;
}

export { podUidFromCgroup } from '../shared/kubepods-cgroup.js';

export function parseEnviron(buf: Buffer | string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of buf.toString().split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** A memory file with one number, or "max" (v2 unlimited) → null. v1's huge "unlimited" values → null too. */
export function parseMemoryValue(text: string): number | null {
  const t = text.trim();
  if (t === 'max') return null;
  if (!/^\d+$/.test(t)) throw new Error(`unreadable memory value "${t.slice(0, 40)}"`);
  const n = Number(t);
  return n >= 2 ** 62 ? null : n;
}

/** `key value` lines (memory.stat, memory.events). */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) out[m[1] as string] = Number(m[2]);
  }
  return out;
}
