// orphan_image: a file in a storage pool that no defined domain references, directly or as any
// link of a referenced chain (live XML <backingStore> and qcow2 headers both count), that libvirt's
// snapshot metadata does not name, and that no process holds open, neither the file nor anything
// in its chain (a backup tool, `qemu-img convert`, a qemu libvirt lost: see qemu_without_domain).
// Never judged when libvirt is remote, /proc is restricted, or a defined domain's chain could not be
// followed to its end: that unknown chain might lead to any image. Young files are left alone.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import type { ImageFile } from '../snapshot/pools.js';
import { diskChains, fileId, ImageIndex } from '../views/disk-chains.js';
import { fileHolders } from '../views/file-holders.js';
import { pushTo } from '../views/multimap.js';

export interface OrphanImageEvidence {
  pool: string | null;
  format: string;
  sizeBytes: number | null;
  allocatedBytes: number | null;
  mtimeSeconds: number | null;
  inode: number | null;
  backingFile: string | null;
  /** The chain below this file: its backing file, that file's backing file, … */
  backingChain: string[];
  /** Other orphan images whose chain leads to this one (deleting them first is safe). */
  overlays: string[];
  /** What was checked before calling it an orphan, so a person can check the same by hand. */
  checked: {
    /** Domain definitions (active and inactive) whose disks and chains were compared. */
    domainDefinitions: number;
    /** libvirt snapshot metadata files read; null when they were not read. */
    snapshotMetadataFiles: number | null;
    /** Processes whose open files were looked at: none holds this file or its chain. */
    processes: number;
  };
  /** An earlier orphan that is the same file (a symlink or hard link): its bytes are counted there. */
  sameFileAs: string | null;
}

/** Install media kept on purpose, and files that are not disk images at all. */
const NOT_DISKS = new Set(['iso', 'other']);
/** Far beyond any real chain; stops a looping chain. */
const MAX_LINKS = 256;

export const orphanImage: Detector<
  'orphan_image',
  OrphanImageEvidence,
  'image' | 'pool' | 'format',
  'detect.orphan-min-age'
> = {
  kind: 'orphan_image',
  labels: ['image', 'pool', 'format'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['libvirt', 'pools', 'procfs', 'libvirt.local', 'procfs.unrestricted', 'pools.chains-complete'],
  detect(s, { now, options }) {
    const { libvirt, pools, procfs } = s;
    if (!libvirt || !pools || !procfs) return [];
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
    const all = [...pools.images, ...pools.external];
    const overlaysOf = new Map<string, ImageFile[]>();
    for (const img of all) if (img.backing?.path) pushTo(overlaysOf, img.backing.path, img);
    const holders = fileHolders(procfs);
    const held = (img: ImageFile) => holders.of(img).length > 0;

    const orphans = pools.images.filter(
      (img) =>
        img.exists &&
        !NOT_DISKS.has(img.format) &&
        !paths.has(img.path) &&
        !(img.inode !== null && ids.has(fileId(img.devMajor, img.devMinor, img.inode))),
    );
    const findings: Array<FindingFrom<typeof orphanImage>> = [];
    const counted = new Map<string, string>();
    for (const img of orphans) {
      if (img.mtimeSeconds === null || now - img.mtimeSeconds < options['detect.orphan-min-age']) continue;
      const backingChain = chainBelow(img, index);
      // Held itself, or any file above or below it in a chain: in use, whoever uses it.
      if (
        held(img) ||
        backingChain.some((p) => {
          const f = index.byPath.get(p);
          return f !== undefined && held(f);
        }) ||
        overlaysAbove(img, overlaysOf).some(held)
      )
        continue;
      const id = img.inode === null ? null : fileId(img.devMajor, img.devMinor, img.inode);
      const sameFileAs = id === null ? null : (counted.get(id) ?? null);
      if (id !== null && sameFileAs === null) counted.set(id, img.path);
      findings.push({
        kind: 'orphan_image',
        subject: img.path,
        labels: { image: img.path, pool: img.pool ?? '', format: img.format },
        since: null,
        reclaimable: { diskBytes: sameFileAs === null ? (img.allocatedBytes ?? 0) : 0 },
        evidence: {
          pool: img.pool,
          format: img.format,
          sizeBytes: img.sizeBytes,
          allocatedBytes: img.allocatedBytes,
          mtimeSeconds: img.mtimeSeconds,
          inode: img.inode,
          backingFile: img.backing?.path ?? img.backing?.raw ?? null,
          backingChain,
          overlays: orphans.filter((o) => o.backing?.path === img.path).map((o) => o.path),
          checked: {
            domainDefinitions: libvirt.domains.length,
            snapshotMetadataFiles: pools.snapshotMetadataFiles ?? null,
            processes: procfs.processes.length,
          },
          sameFileAs,
        },
      });
    }
    return findings;
  },
};

/** Paths of the backing files below `img`, nearest first, as far as the headers read go. */
function chainBelow(img: ImageFile, index: ImageIndex): string[] {
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
