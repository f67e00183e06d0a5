// Whether a pool directory lives on storage other hosts mount too, and the name that storage has on every
// host: libvirt pool types that are shared by nature, the filesystem type of the mount holding the
// directory (from mountinfo), and directories the operator names with --pool.shared-dir.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PoolStorage, SharedMount } from '../../snapshot/pools.js';
import { describeError } from '../../util/fs-errors.js';

/**
 * Filesystem types other hosts can mount at the same time: network filesystems, cluster filesystems on
 * shared block devices, and the FUSE clients of distributed stores. A local filesystem on a shared LUN
 * (ext4, xfs) is not here: only one host mounts it at a time.
 */
export const SHARED_FSTYPES: ReadonlySet<string> = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'ceph',
  'glusterfs',
  'gfs2',
  'ocfs2',
  'lustre',
  'beegfs',
  'gpfs',
  'afs',
  'orangefs',
  'pvfs2',
  'fuse.glusterfs',
  'fuse.cephfs',
  'fuse.ceph-fuse',
  'fuse.sshfs',
  'fuse.s3fs',
  'fuse.gcsfuse',
  'fuse.mfs',
  'fuse.lizardfs',
  'fuse.juicefs',
  'fuse.vstorage',
  'fuse.quobyte',
]);

/** libvirt pool types (of those whose volumes are files in a directory) that are shared by nature. */
export const SHARED_POOL_TYPES: ReadonlySet<string> = new Set(['netfs']);

export interface MountEntry {
  mountPoint: string;
  /** The directory of the filesystem that is the root of this mount (a bind mount's subdirectory). */
  root: string;
  fstype: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Pure: /proc/<pid>/mountinfo (proc(5)); lines that do not parse are left out. */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    mounts.push({
      root: unescape(fields[3] as string),
      mountPoint: unescape(fields[4] as string),
      fstype: fields[dash + 1] as string,
      source: unescape(fields[dash + 2] as string),
    });
  }
  return mounts;
}

function under(dir: string, parent: string): boolean {
  return parent === '/' || dir === parent || dir.startsWith(`${parent}/`);
}

/** The mount holding `dir`: the deepest mount point above it, the last one mounted when several are stacked. */
export function mountOf(dir: string, mounts: readonly MountEntry[]): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts)
    if (under(dir, m.mountPoint) && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  return best;
}

/**
 * How the pool directory `dir` is stored. `store` is the mount's source (`server:/export` for NFS, the
 * device or monitor list otherwise) and `pathInStore` the directory's path inside that filesystem (the
 * mount's root plus the path below the mount point), so a file has the same `store` + path on every host
 * that mounts the same export, wherever each host mounts it.
 */
export function classifyStorage(
  dir: string,
  poolType: string | null,
  mounts: readonly MountEntry[],
  sharedDirs: readonly string[],
): PoolStorage {
  const m = mountOf(dir, mounts);
  const store = m ? m.source : 'unknown';
  const pathInStore = m ? path.posix.join(m.root, path.posix.relative(m.mountPoint, dir)) : dir;
  const named = sharedDirs.find((d) => under(dir, path.resolve(d)));
  const base = { store, pathInStore, fstype: m?.fstype ?? 'unknown' };
  if (named !== undefined) return { ...base, shared: true, reason: `--pool.shared-dir=${named}` };
  if (poolType !== null && SHARED_POOL_TYPES.has(poolType))
    return { ...base, shared: true, reason: `pool type ${poolType}` };
  if (m && SHARED_FSTYPES.has(m.fstype)) return { ...base, shared: true, reason: `filesystem ${m.fstype}` };
  return { ...base, shared: false, reason: m ? `filesystem ${m.fstype}` : 'no mount found' };
}

/** This process's mounts, or why they could not be read (then only pool types and the flag can say "shared"). */
export async function readMounts(procfs: string): Promise<MountEntry[] | string> {
  try {
    return parseMountinfo(await readFile(path.join(procfs, 'self', 'mountinfo'), 'utf8'));
  } catch (e: unknown) {
    return `cannot read ${path.join(procfs, 'self', 'mountinfo')}: ${describeError(e)}`;
  }
}

/**
 * Every place shared storage appears on this host: pools classified shared, and mounts of a shared
 * filesystem type (a domain's disk may sit there outside any pool; its use must still be reported).
 */
export function sharedMounts(
  pools: ReadonlyArray<{ path: string; storage?: PoolStorage | undefined }>,
  mounts: readonly MountEntry[],
): SharedMount[] {
  const found = new Map<string, SharedMount>();
  for (const m of mounts)
    if (SHARED_FSTYPES.has(m.fstype))
      found.set(m.mountPoint, {
        mountPoint: m.mountPoint,
        store: m.source,
        pathInStore: m.root,
        reason: `filesystem ${m.fstype}`,
      });
  for (const p of pools)
    if (p.storage?.shared)
      found.set(p.path, {
        mountPoint: p.path,
        store: p.storage.store,
        pathInStore: p.storage.pathInStore,
        reason: p.storage.reason,
      });
  return [...found.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}
