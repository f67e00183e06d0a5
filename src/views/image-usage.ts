// Which pool images this host uses: referenced by a defined domain (active or inactive, directly or as
// any link of a chain; live XML <backingStore> and qcow2 headers both count), by libvirt's snapshot
// metadata or as a boot file, or held open by a process (the file, or anything above or below it in a
// chain). Shared by the orphan_image detector (local pools) and the shared-storage view, so both
// judge an image the same way.
import type { LibvirtSection } from '../snapshot/libvirt.js';
import type { ImageFile, PoolsSection } from '../snapshot/pools.js';
import type { ProcfsSection } from '../snapshot/procfs.js';
import { diskChains, fileId, ImageIndex } from './disk-chains.js';
import { fileHolders } from './file-holders.js';
import { pushTo } from './multimap.js';

/** Install media kept on purpose, and files that are not disk images at all. */
export const NOT_DISKS: ReadonlySet<string> = new Set(['iso', 'other']);
/** Far beyond any real chain; stops a looping chain. */
const MAX_LINKS = 256;

export interface ImageUsage {
  /** False when a defined domain's chain could not be followed to its end: that chain might lead to any image. */
  complete: boolean;
  /** Pool images that exist, are disk images and that nothing on this host references (holders not checked). */
  unreferenced: ImageFile[];
  index: ImageIndex;
  /** The image itself, or any file above or below it in a chain, is open in a process of this host. */
  held(img: ImageFile): boolean;
  /** Paths of the backing files below `img`, nearest first, as far as the headers read go. */
  chainBelow(img: ImageFile): string[];
}

export function imageUsage(libvirt: LibvirtSection, pools: PoolsSection, procfs: ProcfsSection): ImageUsage {
  const chains = diskChains(libvirt, pools);
  const index = new ImageIndex(pools);
  const stats = new Map(libvirt.files.map((f) => [f.path, f]));
  const paths = new Set<string>(pools.snapshotReferences ?? []);
  const ids = new Set<string>();
  // Kernels, initrds and firmware a domain boots from may sit in a pool directory too.
  for (const d of libvirt.domains) for (const p of d.bootFiles ?? []) paths.add(p);
  for (const c of chains) {
    for (const p of c.referenced) {
      paths.add(p);
      const st = stats.get(p);
      if (st?.inode != null) ids.add(fileId(st.devMajor, st.devMinor, st.inode));
      const img = index.byPath.get(p);
      if (img?.inode != null) ids.add(fileId(img.devMajor, img.devMinor, img.inode));
    }
  }
  const overlaysOf = new Map<string, ImageFile[]>();
  for (const img of [...pools.images, ...pools.external])
    if (img.backing?.path) pushTo(overlaysOf, img.backing.path, img);
  const holders = fileHolders(procfs);
  const heldItself = (img: ImageFile) => holders.of(img).length > 0;
  const chainBelow = (img: ImageFile) => linksBelow(img, index);
  return {
    complete: chains.every((c) => c.complete),
    unreferenced: pools.images.filter(
      (img) =>
        img.exists &&
        !NOT_DISKS.has(img.format) &&
        !paths.has(img.path) &&
        !(img.inode !== null && ids.has(fileId(img.devMajor, img.devMinor, img.inode))),
    ),
    index,
    chainBelow,
    held: (img) =>
      heldItself(img) ||
      chainBelow(img).some((p) => {
        const f = index.byPath.get(p);
        return f !== undefined && heldItself(f);
      }) ||
      overlaysAbove(img, overlaysOf).some(heldItself),
  };
}

function linksBelow(img: ImageFile, index: ImageIndex): string[] {
  const chain: string[] = [];
  const seen = new Set([img.path]);
  let next = img.backing?.path ?? null;
  while (next !== null && !seen.has(next) && chain.length < MAX_LINKS) {
    chain.push(next);
    seen.add(next);
    next = index.byPath.get(next)?.backing?.path ?? null;
  }
  return chain;
}

/** Every image whose chain leads to `img` (overlays of overlays included). */
function overlaysAbove(img: ImageFile, overlaysOf: ReadonlyMap<string, ImageFile[]>): ImageFile[] {
  const found: ImageFile[] = [];
  const seen = new Set([img.path]);
  const queue = [img.path];
  while (queue.length > 0 && found.length < MAX_LINKS) {
    for (const o of overlaysOf.get(queue.shift() as string) ?? []) {
      if (seen.has(o.path)) continue;
      seen.add(o.path);
      found.push(o);
      queue.push(o.path);
    }
  }
  return found;
}
