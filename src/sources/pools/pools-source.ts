// pools source: walks the storage pool directories (libvirt's file-backed pools plus --pool.dir)
// and reads each image's header for its format and qcow2 backing file, then follows every chain
// (and the disks of libvirt's persistent domains) to the files outside the pools. Read-only:
// files are opened O_RDONLY (O_NOATIME when allowed) and never locked.
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImageFile, Pool, PoolsSection } from '../../snapshot/pools.js';
import type { SourceDefinition } from '../source.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { splitDev } from '../../util/devnum.js';
import { mapLimit } from '../../util/map-limit.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { HEADER_READ_BYTES, isHostPath, parseImageHeader } from './image-header.js';
import { readLibvirtConfig, type DefinitionCache } from './libvirt-config.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { classifyStorage, readMounts, sharedMounts } from './shared-storage.js';

const CONCURRENCY = 16;
/** Files outside the pools followed per collection: a bound against pathological or looping chains. */
const MAX_EXTERNAL = 10_000;
/** Files read per pool directory: a bound for a directory that is not really a pool (a dump of millions of files). */
const MAX_PER_POOL = 50_000;

export interface PoolsOptions {
  dirs: readonly string[];
  libvirtConfigDir: string;
  libvirtSnapshotDir?: string;
  /** procfs mount point, for the mount table that says which directories are on shared storage. */
  procfs?: string;
  /** --pool.shared-dir: directories on storage other hosts mount, whatever its filesystem type. */
  sharedDirs?: readonly string[];
}

type HeaderParts = Pick<ImageFile, 'format' | 'internalSnapshots' | 'backing' | 'error'>;

/**
 * What each file's header said, keyed by path and valid while device, inode, size, mtime and ctime
 * are unchanged (rewriting a header changes them): steady-state collections only stat files.
 */
export class HeaderCache {
  private entries = new Map<string, { key: string; parts: HeaderParts }>();
  private seen = new Set<string>();

  get(p: string, key: string): HeaderParts | undefined {
    this.seen.add(p);
    const e = this.entries.get(p);
    return e && e.key === key ? e.parts : undefined;
  }

  set(p: string, key: string, parts: HeaderParts): void {
    this.seen.add(p);
    this.entries.set(p, { key, parts });
  }

  /** Forgets files not looked at since the last call, so the cache never outgrows the pools. */
  prune(): void {
    for (const p of this.entries.keys()) if (!this.seen.has(p)) this.entries.delete(p);
    this.seen = new Set();
  }
}

/** Where a backing name points, the way QEMU resolves it: relative to the overlay's directory. */
export function resolveBacking(imagePath: string, raw: string): string | null {
  if (!isHostPath(raw)) return null;
  const name = raw.startsWith('file:') ? raw.slice(5) : raw;
  return path.isAbsolute(name) ? path.normalize(name) : path.join(path.dirname(imagePath), name);
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

function hungImage(p: string, pool: string | null, why: string): ImageFile {
  return {
    path: p,
    pool,
    exists: true,
    format: 'unknown',
    sizeBytes: null,
    allocatedBytes: null,
    inode: null,
    devMajor: null,
    devMinor: null,
    mtimeSeconds: null,
    backing: null,
    internalSnapshots: null,
    error: `read ${why}`,
  };
}

export async function readPools(
  opts: PoolsOptions,
  signal?: AbortSignal,
  caches: PoolsCaches = newPoolsCaches(),
  io: PoolsIo = REAL_IO,
): Promise<PoolsSection> {
  const problems: string[] = [];
  const cache = caches.headers;
  const config = await readLibvirtConfig(
    opts.libvirtConfigDir,
    problems,
    signal,
    caches.definitions,
    opts.libvirtSnapshotDir ?? '',
  );
  const pools: Pool[] = [];
  const seenDirs = new Set<string>();
  const candidates = [
    ...config.pools.map((p) => ({ name: p.name, path: p.path, origin: 'libvirt' as const, type: p.type })),
    ...[...opts.dirs, ...(opts.sharedDirs ?? [])].map((d) => ({
      name: d,
      path: d,
      origin: 'flag' as const,
      type: null,
    })),
  ];
  const mounts = opts.procfs === undefined ? [] : await readMounts(opts.procfs);
  if (typeof mounts === 'string') problems.push(mounts);
  const listings: Array<{ pool: Pool; names: string[] }> = [];
  for (const c of candidates) {
    const dir = path.resolve(c.path);
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    const storage = classifyStorage(dir, c.type, typeof mounts === 'string' ? [] : mounts, opts.sharedDirs ?? []);
    const pool: Pool = { name: c.name, path: dir, origin: c.origin, readable: false };
    // Without a mount table or a flag, nothing can be said about the storage.
    if (opts.procfs !== undefined || opts.sharedDirs?.length) pool.storage = storage;
    pools.push(pool);
    try {
      const entries = await caches.dirs.run(
        dir,
        () => io.readdir(dir),
        (why) => `listing ${why}`,
      );
      if (typeof entries === 'string') {
        problems.push(`pool ${c.name} (${dir}): ${entries}`);
        continue;
      }
      pool.readable = true;
      // libvirt dir pools are flat: volumes are the directory's own files. Hidden files are not volumes.
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
  if (listings.length === 0 && config.diskPaths.length === 0) {
    throw new SourceAbsentError(
      `no readable image directory (${candidates.map((c) => c.path).join(', ') || 'none configured'})`,
    );
  }

  const inPools = listings.flatMap(({ pool, names }) =>
    names.map((n) => ({ path: path.join(pool.path, n), pool: pool.name })),
  );
  const images = (
    await mapLimit(
      inPools,
      CONCURRENCY,
      (f) =>
        caches.files.run(
          f.path,
          () => io.readImage(f.path, f.pool, false, cache),
          (why) => hungImage(f.path, f.pool, why),
        ),
      signal,
    )
  ).filter((f): f is ImageFile => f !== null);
  const known = new Set(images.map((i) => i.path));

  // Follow chains out of the pools, and the chains of persistent domains' disks kept elsewhere.
  const external: ImageFile[] = [];
  let queue = [
    ...images.flatMap((i) => (i.backing?.path ? [i.backing.path] : [])),
    ...config.diskPaths.map((p) => path.resolve(p)),
    ...config.snapshotPaths,
  ];
  while (queue.length > 0) {
    const next = [...new Set(queue)].filter((p) => !known.has(p));
    if (next.length === 0) break;
    if (external.length + next.length > MAX_EXTERNAL) {
      problems.push(
        `more than ${MAX_EXTERNAL} files outside the pools reached by backing chains; the rest were not read`,
      );
      break;
    }
    for (const p of next) known.add(p);
    const read = await mapLimit(
      next,
      CONCURRENCY,
      (p) =>
        caches.files.run(
          p,
          () => io.readImage(p, null, true, cache),
          (why) => hungImage(p, null, why),
        ),
      signal,
    );
    const found = read.filter((f): f is ImageFile => f !== null);
    external.push(...found);
    queue = found.flatMap((f) => (f.backing?.path ? [f.backing.path] : []));
  }
  for (const f of [...images, ...external]) if (f.error) problems.push(`${f.path}: ${f.error}`);
  cache.prune();
  return {
    pools,
    images,
    external,
    problems,
    snapshotReferences: config.snapshotPaths,
    snapshotMetadataFiles: config.snapshotFiles,
    sharedMounts: sharedMounts(pools, typeof mounts === 'string' ? [] : mounts),
  };
}

/** stat + header of one file; null for what is not a regular file (a directory, a socket). */
export async function readImage(
  p: string,
  pool: string | null,
  missingOk = false,
  cache?: HeaderCache,
): Promise<ImageFile | null> {
  const base: ImageFile = {
    path: p,
    pool,
    exists: true,
    format: 'unknown',
    sizeBytes: null,
    allocatedBytes: null,
    inode: null,
    devMajor: null,
    devMinor: null,
    mtimeSeconds: null,
    backing: null,
    internalSnapshots: null,
    error: null,
  };
  let st: Stats;
  try {
    st = await stat(p);
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT') return missingOk ? { ...base, exists: false } : null;
    return { ...base, error: describeError(e) };
  }
  if (!st.isFile()) return st.isBlockDevice() || !missingOk ? null : { ...base, error: 'not a regular file' };
  const { major, minor } = splitDev(st.dev);
  const file: ImageFile = {
    ...base,
    sizeBytes: st.size,
    allocatedBytes: st.blocks * 512,
    inode: st.ino,
    devMajor: major,
    devMinor: minor,
    mtimeSeconds: Math.floor(st.mtimeMs / 1000),
  };
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const cached = cache?.get(p, key);
  if (cached) return { ...file, ...cached };
  try {
    const header = await readHeader(p);
    let parsed, name;
    try {
      parsed = parseImageHeader(header.head, p, st.size);
      name =
        parsed.backingName ??
        (parsed.backingNameAt ? await header.readAt(parsed.backingNameAt.offset, parsed.backingNameAt.size) : null);
    } finally {
      await header.close();
    }
    file.format = parsed.format;
    file.internalSnapshots = parsed.internalSnapshots;
    file.backing = name === null ? null : { raw: name, path: resolveBacking(p, name), format: parsed.backingFormat };
  } catch (e: unknown) {
    file.error = `header: ${describeError(e)}`;
  }
  cache?.set(p, key, {
    format: file.format,
    internalSnapshots: file.internalSnapshots,
    backing: file.backing,
    error: file.error,
  });
  return file;
}

async function readHeader(p: string) {
  let handle;
  try {
    handle = await open(p, constants.O_RDONLY | constants.O_NOATIME);
  } catch (e: unknown) {
    // O_NOATIME needs ownership or CAP_FOWNER; without it, a plain read-only open.
    if (errorCode(e) !== 'EPERM') throw e;
    handle = await open(p, constants.O_RDONLY);
  }
  const h = handle;
  try {
    const head = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await h.read(head, 0, HEADER_READ_BYTES, 0);
    return {
      head: head.subarray(0, bytesRead),
      readAt: async (offset: number, size: number) => {
        const buf = Buffer.alloc(size);
        const r = await h.read(buf, 0, size, offset);
        if (r.bytesRead !== size) throw new Error('backing file name beyond the end of the file');
        return buf.toString('utf8');
      },
      close: () => h.close(),
    };
  } catch (e: unknown) {
    await h.close();
    throw e;
  }
}

export const poolsSource: SourceDefinition<'pools'> = {
  name: 'pools',
  description: 'image files in storage pool directories with their qcow2 backing chains (--pool.dir)',
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const opts = {
      dirs: config['pool.dir'],
      libvirtConfigDir: config['pool.libvirt-config-dir'],
      libvirtSnapshotDir: config['pool.libvirt-snapshot-dir'],
      procfs: config['path.procfs'],
      sharedDirs: config['pool.shared-dir'],
    };
    const caches = newPoolsCaches();
    return { collect: ({ signal }) => readPools(opts, signal, caches), close: async () => {} };
  },
};
