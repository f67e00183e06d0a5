// vsphere_unregistered_vm_folder: a datastore folder holds a .vmx that no registered VM or
// template uses: what UnregisterVM ("remove from inventory") or a failed delete leaves behind.
// Its files keep their space until someone registers or deletes them. Files must be older than
// --detect.orphan-min-age; datastores shared with another vCenter give false positives (exclude
// them with --vsphere.exclude-datastore).
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { datastoreLeftovers, leftoverFolderFinding } from './lib/vsphere-files.js';
import type { Removal } from './lib/vsphere-events.js';
import { knownOwners } from '../util/vsphere-known-owners.js';
import { formatDatastorePath } from '../util/datastore-path.js';

export interface VsphereUnregisteredVmFolderEvidence {
  vcenter: string;
  vmx: string[];
  files: Array<{ path: string; sizeBytes: number }>;
  newestModified: string;
  /** Who removed (or unregistered) the VM of that name and when, while vCenter keeps the event. */
  removed: Removal | null;
}

export const vsphereUnregisteredVmFolder: Detector<
  'vsphere_unregistered_vm_folder',
  VsphereUnregisteredVmFolderEvidence,
  'vcenter' | 'datastore',
  'detect.orphan-min-age'
> = {
  kind: 'vsphere_unregistered_vm_folder',
  labels: ['vcenter', 'datastore'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereUnregisteredVmFolder>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    for (const vc of s.vsphere?.vcenters ?? []) {
      for (const f of datastoreLeftovers(vc, now, options['detect.orphan-min-age'], owners).folders) {
        const { files, newestModified, removed, ...finding } = leftoverFolderFinding(vc, f);
        out.push({
          kind: 'vsphere_unregistered_vm_folder',
          ...finding,
          evidence: {
            vcenter: vc.vcenter,
            vmx: f.vmx.map((p) => formatDatastorePath(f.datastore, p)),
            files,
            newestModified,
            removed,
          },
        });
      }
    }
    return out;
  },
};
