// Which directories are pools (libvirt's defined file-backed pools, then --pool.dir) and the files
// in each: libvirt dir pools are flat, so a pool's volumes are its directory's own files.
import type { Dirent } from 'node:fs';
import path from 'node:path';
import type { Pool } from '../../snapshot/pools.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import type { HungCallGuard } from '../../util/hung-call-guard.js';

/** Files read per pool directory: a bound for a directory that is not really a pool (a dump of millions of files). */
const MAX_PER_POOL = 50_000;

export interface PoolCandidate {
  name: string;
  path: string;
  origin: Pool['origin'];
  /** libvirt's pool type (`dir`, `netfs`, …); null for a --pool.dir. */
  type: string | null;
}

export interface PoolListing {
  pool: Pool;
  names: string[];
}

/** Lists each candidate directory once; a directory that cannot be listed is a pool, unreadable, with a problem. */
export async function discoverPools(
  candidates: readonly PoolCandidate[],
  readdir: (dir: string) => Promise<Dirent[]>,
  guard: HungCallGuard<Dirent[] | string>,
  problems: string[],
): Promise<{ pools: Pool[]; listings: PoolListing[] }> {
  const pools: Pool[] = [];
  const listings: PoolListing[] = [];
  const seenDirs = new Set<string>();
  for (const c of candidates) {
    const dir = path.resolve(c.path);
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    const pool: Pool = { name: c.name, path: dir, origin: c.origin, readable: false };
    pools.push(pool);
    try {
      const entries = await guard.run(
        dir,
        () => readdir(dir),
        (why) => `listing ${why}`,
      );
      if (typeof entries === 'string') {
        problems.push(`pool ${c.name} (${dir}): ${entries}`);
        continue;
      }
      pool.readable = true;
      // Hidden files are not volumes.
      const names = entries
        .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
        .map((e) => e.name)
        .sort();
      if (names.length > MAX_PER_POOL)
        problems.push(`pool ${c.name} (${dir}): ${names.length} files, only the first ${MAX_PER_POOL} read`);
      listings.push({ pool, names: names.slice(0, MAX_PER_POOL) });
    } catch (e: unknown) {
      // The default directory missing on a host without libvirt is not a problem worth counting.
      if (!(errorCode(e) === 'ENOENT' && c.origin === 'flag'))
        problems.push(`pool ${c.name} (${dir}): ${describeError(e)}`);
    }
  }
  return { pools, listings };
}
