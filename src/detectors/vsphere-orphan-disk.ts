// vsphere_orphan_disk: a .vmdk descriptor (not a -flat, -delta, -ctk or -sesparse extent) that no VM
// or template references, outside the unregistered VM folders (reported as a whole), last modified
// longer ago than --detect.orphan-min-age. Left by a failed delete, a disk removed from a VM without
// deleting its files, or a copy nobody attached. Reclaimable: the descriptor and its extents.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { datastoreLeftovers } from './lib/vsphere-files.js';
import { namesOfFolder, removalOf, type Removal } from './lib/vsphere-events.js';
import { knownOwners } from '../util/vsphere-known-owners.js';
import { dirname, formatDatastorePath } from '../util/datastore-path.js';

export interface VsphereOrphanDiskEvidence {
  vcenter: string;
  files: Array<{ path: string; sizeBytes: number }>;
  newestModified: string;
  /** Who removed the VM named like the disk's folder and when, while vCenter keeps the event. */
  removed: Removal | null;
}

export const vsphereOrphanDisk: Detector<
  'vsphere_orphan_disk',
  VsphereOrphanDiskEvidence,
  'vcenter' | 'datastore',
  'detect.orphan-min-age'
> = {
  kind: 'vsphere_orphan_disk',
  labels: ['vcenter', 'datastore'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereOrphanDisk>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    for (const vc of s.vsphere?.vcenters ?? []) {
      for (const d of datastoreLeftovers(vc, now, options['detect.orphan-min-age'], owners).disks) {
        out.push({
          kind: 'vsphere_orphan_disk',
          subject: formatDatastorePath(d.datastore, d.path),
          labels: { vcenter: vc.vcenter, datastore: d.datastore },
          since: null,
          reclaimable: { diskBytes: d.files.reduce((n, x) => n + x.sizeBytes, 0) },
          evidence: {
            vcenter: vc.vcenter,
            files: d.files.map((x) => ({ path: formatDatastorePath(d.datastore, x.path), sizeBytes: x.sizeBytes })),
            newestModified: new Date(d.newestModified * 1000).toISOString(),
            removed: removalOf(vc, null, namesOfFolder(dirname(d.path), [])),
          },
        });
      }
    }
    return out;
  },
};
