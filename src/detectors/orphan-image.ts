// orphan_image: a file in a storage pool that no defined domain references, directly or as any
// link of a referenced chain (live XML <backingStore> and qcow2 headers both count), that libvirt's
// snapshot metadata does not name, and that no process holds open, neither the file nor anything
// in its chain (a backup tool, `qemu-img convert`, a qemu libvirt lost: see qemu_without_domain).
// Never judged when libvirt is remote, /proc is restricted, or a defined domain's chain could not be
// followed to its end: that unknown chain might lead to any image. Young files are left alone.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { fileId } from '../views/disk-chains.js';
import { imageUsage } from '../views/image-usage.js';
import { sharedPoolNames } from '../views/shared-images.js';

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
    const usage = imageUsage(libvirt, pools, procfs);
    // An image on shared storage may be the disk of a domain on another host: only the fleet rule judges it.
    const shared = sharedPoolNames(pools);
    const orphans = usage.unreferenced.filter((img) => img.pool === null || !shared.has(img.pool));
    const findings: Array<FindingFrom<typeof orphanImage>> = [];
    const counted = new Map<string, string>();
    for (const img of orphans) {
      if (img.mtimeSeconds === null || now - img.mtimeSeconds < options['detect.orphan-min-age']) continue;
      const backingChain = usage.chainBelow(img);
      // Held itself, or any file above or below it in a chain: in use, whoever uses it.
      if (usage.held(img)) continue;
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
