// hyperv_orphan_vhdx: a virtual disk file (.vhdx, .vhd, or a differencing .avhdx/.avhd) in a VM
// directory that no VM or checkpoint uses, directly or as a parent anywhere in its chain, last
// written longer ago than --detect.orphan-min-age. Remove-VM keeps a VM's disks by design, so these
// are the expected remains of deleted VMs. Paths are compared case-insensitively. A directory
// holding a chain link Get-VHD could not read is not judged (its parents are unknown).
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { dirOf, pathKey, referencedPaths } from './lib/hyperv.js';

export interface HypervOrphanVhdxEvidence {
  path: string;
  sizeBytes: number;
  lastWriteTime: string;
  scannedAt: string;
  /** VMs and checkpoint drives whose chains were checked. */
  drivesChecked: number;
}

const DISK_FILE = /\.(a?vhdx?)$/i;

export const hypervOrphanVhdx: Detector<
  'hyperv_orphan_vhdx',
  HypervOrphanVhdxEvidence,
  'dir' | 'file_type',
  'detect.orphan-min-age'
> = {
  kind: 'hyperv_orphan_vhdx',
  labels: ['dir', 'file_type'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['hyperv', 'hyperv.files-scanned'],
  detect(s, { now, options }) {
    const h = s.hyperv;
    if (!h || h.files.scannedAt === null) return [];
    const used = referencedPaths(h);
    const unsure = new Set(h.vhds.filter((v) => v.error !== null).map((v) => pathKey(dirOf(v.path))));
    const out: Array<FindingFrom<typeof hypervOrphanVhdx>> = [];
    for (const dir of h.files.dirs) {
      for (const f of dir.files) {
        const type = DISK_FILE.exec(f.path)?.[1]?.toLowerCase();
        if (!type || used.has(pathKey(f.path)) || unsure.has(pathKey(dirOf(f.path)))) continue;
        if (now - f.modified < options['detect.orphan-min-age']) continue;
        out.push({
          kind: 'hyperv_orphan_vhdx',
          subject: f.path,
          labels: { dir: dirOf(f.path), file_type: type },
          since: null,
          reclaimable: { diskBytes: f.sizeBytes },
          evidence: {
            path: f.path,
            sizeBytes: f.sizeBytes,
            lastWriteTime: new Date(f.modified * 1000).toISOString(),
            scannedAt: new Date(h.files.scannedAt * 1000).toISOString(),
            drivesChecked: h.drives.length,
          },
          refs: [`file:${f.path.toLowerCase()}`],
        });
      }
    }
    return out;
  },
};
