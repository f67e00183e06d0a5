// vsphere_orphan_fcd: a First-Class Disk (a CNS volume of the vSphere CSI driver, or any FCD) that no VM
// has attached, older than --detect.orphan-min-age: what a deleted PersistentVolume or a failed detach
// leaves (vsphere-csi-driver #607, #2882, #2651). This exporter cannot see the clusters: an FCD still
// bound to a PV that no pod mounts is attached to no VM either. So the finding is a candidate, and the
// alert VMZombieVsphereOrphanFcd keeps quiet while any cluster agent exports a PV with that volume handle.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { parseDatastorePath } from '../util/datastore-path.js';
import { knownOwners } from '../util/vsphere-known-owners.js';

export interface VsphereOrphanFcdEvidence {
  vcenter: string;
  id: string;
  name: string;
  filePath: string;
  capacityBytes: number | null;
  createTime: string | null;
}

export const vsphereOrphanFcd: Detector<
  'vsphere_orphan_fcd',
  VsphereOrphanFcdEvidence,
  'vcenter' | 'datastore' | 'fcd_id',
  'detect.orphan-min-age'
> = {
  kind: 'vsphere_orphan_fcd',
  labels: ['vcenter', 'datastore', 'fcd_id'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereOrphanFcd>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    for (const vc of s.vsphere?.vcenters ?? []) {
      const used = new Set(vc.files.layouts.flatMap((l) => l.files.map((f) => f.name)));
      const sizes = new Map(
        vc.files.datastores.flatMap((d) => d.files.map((f) => [`[${d.datastore}] ${f.path}`, f.sizeBytes ?? 0])),
      );
      for (const fcd of vc.files.fcds ?? []) {
        const p = parseDatastorePath(fcd.filePath);
        if (used.has(fcd.filePath) || (p && owners.path(p.datastore, p.path))) continue;
        if (fcd.createTime !== null && now - fcd.createTime <= options['detect.orphan-min-age']) continue;
        const base = fcd.filePath.replace(/\.vmdk$/, '');
        const onDisk = ['.vmdk', '-flat.vmdk'].reduce((n, x) => n + (sizes.get(base + x) ?? 0), 0);
        out.push({
          kind: 'vsphere_orphan_fcd',
          subject: `${fcd.name || fcd.id} (${fcd.id})`,
          labels: { vcenter: vc.vcenter, datastore: fcd.datastore, fcd_id: fcd.id },
          since: null,
          // Thick disks hold their capacity; the listing's size is what a thin one holds now.
          reclaimable: { diskBytes: onDisk > 0 ? onDisk : (fcd.capacityBytes ?? 0) },
          evidence: {
            vcenter: vc.vcenter,
            id: fcd.id,
            name: fcd.name,
            filePath: fcd.filePath,
            capacityBytes: fcd.capacityBytes,
            createTime: fcd.createTime === null ? null : new Date(fcd.createTime * 1000).toISOString(),
          },
        });
      }
    }
    return out;
  },
};
