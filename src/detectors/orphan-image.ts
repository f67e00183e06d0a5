// orphan_image: a file in a storage pool that no defined domain references, directly or as any
// link of a referenced chain (live XML <backingStore> and qcow2 headers both count). Never judged
// when libvirt is remote, or when a defined domain's chain could not be followed to its end:
// that unknown chain might lead to any image. Young files (--detect.orphan-min-age) are left alone.
import type { Detector, FindingOf } from './finding.js';
import { diskChains, fileId, ImageIndex } from './lib/disk-chains.js';

export interface OrphanImageEvidence {
  pool: string | null;
  format: string;
  sizeBytes: number | null;
  allocatedBytes: number | null;
  mtimeSeconds: number | null;
  inode: number | null;
  backingFile: string | null;
  /** Other orphan images whose chain leads to this one (deleting them first is safe). */
  overlays: string[];
  /** Processes holding the file open, when any (a copy or a stray qemu still using it). */
  openBy: string[];
  /** An earlier orphan that is the same file (a symlink or hard link): its bytes are counted there. */
  sameFileAs: string | null;
}

/** Install media kept on purpose, and files that are not disk images at all. */
const NOT_DISKS = new Set(['iso', 'other']);

export const orphanImage: Detector<'orphan_image'> = {
  kind: 'orphan_image',
  needs: ['libvirt', 'pools'],
  detect(s, { now, options }) {
    const { libvirt, pools, procfs } = s;
    if (!libvirt || !pools || !libvirt.local) return [];
    const chains = diskChains(libvirt, pools);
    if (chains.some((c) => !c.complete)) return [];
    const index = new ImageIndex(pools);
    const stats = new Map(libvirt.files.map((f) => [f.path, f]));
    const paths = new Set<string>();
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
    const orphans = pools.images.filter((img) => img.exists && !NOT_DISKS.has(img.format) && !paths.has(img.path)
      && !(img.inode !== null && ids.has(fileId(img.devMajor, img.devMinor, img.inode))));
    const findings: Array<FindingOf<'orphan_image'>> = [];
    const counted = new Map<string, string>();
    for (const img of orphans) {
      if (img.mtimeSeconds === null || now - img.mtimeSeconds < options.orphanMinAgeSeconds) continue;
      const id = img.inode === null ? null : fileId(img.devMajor, img.devMinor, img.inode);
      const sameFileAs = id === null ? null : counted.get(id) ?? null;
      if (id !== null && sameFileAs === null) counted.set(id, img.path);
      const holders = procfs?.openFiles.filter((f) => f.inode === img.inode && f.target.replace(/ \(deleted\)$/, '') === img.path) ?? [];
      findings.push({
        kind: 'orphan_image',
        subject: img.path,
        labels: { image: img.path, pool: img.pool ?? '', format: img.format },
        since: null,
        reclaimable: { diskBytes: sameFileAs === null ? img.allocatedBytes ?? 0 : 0 },
        evidence: {
          pool: img.pool, format: img.format, sizeBytes: img.sizeBytes, allocatedBytes: img.allocatedBytes,
          mtimeSeconds: img.mtimeSeconds, inode: img.inode, backingFile: img.backing?.path ?? img.backing?.raw ?? null,
          overlays: orphans.filter((o) => o.backing?.path === img.path).map((o) => o.path),
          openBy: [...new Set(holders.map((h) => `pid ${h.pid} fd ${h.fd}`))],
          sameFileAs,
        },
      });
    }
    return findings;
  },
};
