// vsphere_orphan_disk: a .vmdk descriptor (not a -flat, -delta, -ctk or -sesparse extent) that no VM
// or template references, outside the unregistered VM folders (reported as a whole), last modified
// longer ago than --detect.orphan-min-age. Left by a failed delete, a disk removed from a VM without
// deleting its files, or a copy nobody attached. Reclaimable: the descriptor and its extents.
import type { Detector, FindingOf } from './finding.js';
import { datastoreLeftovers } from './lib/vsphere-files.js';
import { formatDatastorePath } from '../util/datastore-path.js';

export interface VsphereOrphanDiskEvidence {
  vcenter: string;
  files: Array<{ path: string; sizeBytes: number }>;
  newestModified: string;
}

export const vsphereOrphanDisk: Detector<'vsphere_orphan_disk'> = {
  kind: 'vsphere_orphan_disk',
  needs: ['vsphere'],
  detect(s, { now, options }) {
    const out: Array<FindingOf<'vsphere_orphan_disk'>> = [];
    for (const vc of s.vsphere?.vcenters ?? []) {
      for (const d of datastoreLeftovers(vc, now, options.orphanMinAgeSeconds).disks) {
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
          },
        });
      }
    }
    return out;
  },
};
