// Images on shared storage, as this host sees them. One host cannot call such an image an orphan (a
// domain on another host may use it), so it only says, per image, "in use here" or "unused here", keyed
// by the storage's name and the path inside it, which are the same on every host that mounts it; the
// fleet rule VMZombieSharedImageOrphan joins every host's answers. Young files and non-disks say nothing.
import path from 'node:path';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { PoolsSection, SharedMount } from '../snapshot/pools.js';
import { diskChains } from './disk-chains.js';
import { imageUsage, NOT_DISKS } from './image-usage.js';

export type SharedImageState = 'in_use' | 'unused';

export interface SharedImage {
  store: string;
  /** Path inside the store: the same on every host mounting it. */
  image: string;
  /** Where this host sees it. */
  path: string;
  pool: string | null;
  state: SharedImageState;
  allocatedBytes: number | null;
  mtimeSeconds: number | null;
}

export interface SharedStore {
  store: string;
  /** Where this host mounts it (mount points, shared pools, --pool.shared-dir). */
  mountPoints: string[];
  reason: string;
  /** Null when this host judged every image of the store it can see; else why its "unused" answers are withheld. */
  notJudged: string | null;
}

export interface SharedImagesView {
  stores: SharedStore[];
  /** Sorted by store, then image: every host keeps the same ones when a cap cuts the list. */
  images: SharedImage[];
}

/** The names of the pools on shared storage (their images are never local orphans). */
export function sharedPoolNames(pools: PoolsSection): Set<string> {
  return new Set(pools.pools.filter((p) => p.storage?.shared).map((p) => p.name));
}

function locator(mounts: readonly SharedMount[]) {
  const deepestFirst = [...mounts].sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  return (p: string): { mount: SharedMount; image: string } | null => {
    const m = deepestFirst.find((x) => p === x.mountPoint || p.startsWith(`${x.mountPoint}/`));
    return m ? { mount: m, image: path.posix.join(m.pathInStore, path.posix.relative(m.mountPoint, p)) } : null;
  };
}

/** Null when this host mounts no shared storage. `minAge`: --detect.orphan-min-age, in seconds. */
export function sharedImages(s: Snapshot, now: number, minAge: number): SharedImagesView | null {
  const pools = s.pools;
  const mounts = pools?.sharedMounts ?? [];
  if (!pools || mounts.length === 0) return null;
  const locate = locator(mounts);
  const { libvirt, procfs } = s;
  const usage = libvirt && procfs ? imageUsage(libvirt, pools, procfs) : null;
  const hostWide =
    (!libvirt && 'libvirt was not read') ||
    (libvirt && !libvirt.local && 'libvirt is remote: its disk paths are not this host’s') ||
    (!procfs && '/proc was not read') ||
    (procfs?.restricted && '/proc hides other users’ processes (hidepid)') ||
    (usage && !usage.complete && "a domain's disk chain could not be followed to its end") ||
    null;
  const found = new Map<string, SharedImage>();
  const add = (
    p: string,
    state: SharedImageState,
    img?: { pool: string | null; allocatedBytes: number | null; mtimeSeconds: number | null },
  ) => {
    const at = locate(p);
    if (!at) return;
    const key = `${at.mount.store}\u0000${at.image}`;
    if (found.get(key)?.state === 'in_use') return;
    found.set(key, {
      store: at.mount.store,
      image: at.image,
      path: p,
      pool: img?.pool ?? null,
      state,
      allocatedBytes: img?.allocatedBytes ?? null,
      mtimeSeconds: img?.mtimeSeconds ?? null,
    });
  };
  // In use here, wherever it sits: disks and chains of defined domains, snapshot metadata, boot files.
  if (libvirt) {
    for (const c of diskChains(libvirt, pools)) for (const p of c.referenced) add(p, 'in_use');
    for (const d of libvirt.domains) for (const p of d.bootFiles ?? []) add(p, 'in_use');
  }
  for (const p of pools.snapshotReferences ?? []) add(p, 'in_use');
  if (usage) {
    const unreferenced = new Set(usage.unreferenced);
    for (const img of pools.images) {
      // Install media and non-disks are never orphans anywhere; a domain using one still counts above.
      if (!img.exists || NOT_DISKS.has(img.format) || !locate(img.path)) continue;
      if (!unreferenced.has(img) || usage.held(img)) add(img.path, 'in_use', img);
      else if (hostWide === null && img.mtimeSeconds !== null && now - img.mtimeSeconds >= minAge)
        add(img.path, 'unused', img);
    }
  }
  const stores = new Map<string, SharedStore>();
  for (const m of mounts) {
    const st = stores.get(m.store) ?? { store: m.store, mountPoints: [], reason: m.reason, notJudged: hostWide };
    st.mountPoints.push(m.mountPoint);
    stores.set(m.store, st);
  }
  for (const p of pools.pools) {
    const st = p.storage?.shared ? stores.get(p.storage.store) : undefined;
    if (st && !p.readable && st.notJudged === null) st.notJudged = `pool ${p.name} (${p.path}) could not be listed`;
  }
  const order = (a: SharedImage, b: SharedImage) => a.store.localeCompare(b.store) || a.image.localeCompare(b.image);
  return { stores: [...stores.values()], images: [...found.values()].sort(order) };
}
