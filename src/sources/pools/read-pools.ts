// One collection of the pools section: libvirt's configuration, the pool directories, every image
// in them, then the chains out of them. State kept between collections (caches and hung-call
// guards) comes in as PoolsCaches.
import { classifyStorage, readMounts, sharedMounts } from './shared-storage.js';
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImageFile, PoolsSection } from '../../snapshot/pools.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { mapLimit } from '../../util/map-limit.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { readLibvirtConfig, type DefinitionCache } from '../shared/libvirt-config.js';
import { unreadFile } from '../shared/file-identity.js';
import { HeaderCache } from './header-cache.js';
import { imageOf, readImage } from './read-image.js';
import { discoverPools, type PoolCandidate } from './discover-pools.js';
import { backingPaths, followChains } from './follow-chains.js';

const CONCURRENCY = 16;

export interface PoolsOptions {
  dirs: readonly string[];
  libvirtConfigDir: string;
  libvirtSnapshotDir?: string;
  /** procfs mount point, for the mount table that says which directories are on shared storage. */
  procfs?: string;
  /** --pool.shared-dir: directories on storage other hosts mount, whatever its filesystem type. */
  sharedDirs?: readonly string[];
}

/**
 * State a pools source keeps between collections: caches so unchanged files cost one stat each, and
 * guards so a pool on a dead NFS server (a netfs pool) cannot pin libuv's threads: a directory or file
 * whose call does not return within the deadline is reported as a problem, and no new calls are issued
 * while a few are stuck.
 */
export interface PoolsCaches {
  headers: HeaderCache;
  definitions: DefinitionCache;
  files: HungCallGuard<ImageFile | null>;
  dirs: HungCallGuard<Dirent[] | string>;
}

export function newPoolsCaches(deadlineMs = 2000): PoolsCaches {
  return {
    headers: new HeaderCache(),
    definitions: new Map(),
    files: new HungCallGuard(4, deadlineMs),
    dirs: new HungCallGuard(2, deadlineMs),
  };
}

/** The file system calls of a collection; tests replace them to stand in for a hung server. */
export interface PoolsIo {
  readdir: (dir: string) => Promise<Dirent[]>;
  readImage: typeof readImage;
}

const REAL_IO: PoolsIo = {
  readdir: (dir) => readdir(dir, { withFileTypes: true }),
  readImage: (...args) => readImage(...args),
};

export async function readPools(
  opts: PoolsOptions,
  signal?: AbortSignal,
  caches: PoolsCaches = newPoolsCaches(),
  io: PoolsIo = REAL_IO,
): Promise<PoolsSection> {
  const problems: string[] = [];
  const config = await readLibvirtConfig(
    opts.libvirtConfigDir,
    problems,
    signal,
    caches.definitions,
    opts.libvirtSnapshotDir ?? '',
  );
  const candidates: PoolCandidate[] = [
    ...config.pools.map((p) => ({ name: p.name, path: p.path, origin: 'libvirt' as const, type: p.type })),
    ...[...opts.dirs, ...(opts.sharedDirs ?? [])].map((d) => ({
      name: d,
      path: d,
      origin: 'flag' as const,
      type: null,
    })),
  ];
  const { pools, listings } = await discoverPools(candidates, io.readdir, caches.dirs, problems);
  const mounts = opts.procfs === undefined ? [] : await readMounts(opts.procfs);
  if (typeof mounts === 'string') problems.push(mounts);
  const mountTable = typeof mounts === 'string' ? [] : mounts;
  // Without a mount table or a flag, nothing can be said about the storage.
  if (opts.procfs !== undefined || opts.sharedDirs?.length) {
    const typeOf = new Map(candidates.map((c) => [path.resolve(c.path), c.type]));
    for (const pool of pools)
      pool.storage = classifyStorage(pool.path, typeOf.get(pool.path) ?? null, mountTable, opts.sharedDirs ?? []);
  }
  if (listings.length === 0 && config.diskPaths.length === 0) {
    throw new SourceAbsentError(
      `no readable image directory (${candidates.map((c) => c.path).join(', ') || 'none configured'})`,
    );
  }

  // A file whose read does not return in time is reported, not waited for.
  const read = (p: string, pool: string | null, outside: boolean) =>
    caches.files.run(
      p,
      () => io.readImage(p, pool, outside, caches.headers),
      (why) => imageOf(unreadFile(p, `read ${why}`), pool),
    );
  const inPools = listings.flatMap(({ pool, names }) =>
    names.map((n) => ({ path: path.join(pool.path, n), pool: pool.name })),
  );
  const images = (await mapLimit(inPools, CONCURRENCY, (f) => read(f.path, f.pool, false), signal)).filter(
    (f): f is ImageFile => f !== null,
  );
  const external = await followChains(
    [...backingPaths(images), ...config.diskPaths.map((p) => path.resolve(p)), ...config.snapshotPaths],
    new Set(images.map((i) => i.path)),
    (p) => read(p, null, true),
    CONCURRENCY,
    problems,
    signal,
  );
  for (const f of [...images, ...external]) if (f.error) problems.push(`${f.path}: ${f.error}`);
  caches.headers.prune();
  return {
    pools,
    images,
    external,
    problems,
    snapshotReferences: config.snapshotPaths,
    snapshotMetadataFiles: config.snapshotFiles,
    sharedMounts: sharedMounts(pools, mountTable),
  };
}
