// vsphere_vm_folder_leftover: a datastore folder no registered VM lives in, with no .vmx, holding only
// what a destroy leaves (lock files, logs, ISOs, swap, descriptors with no extent): a delete that
// could not remove everything (community.vmware#1858, govmomi#332). Older than --detect.orphan-min-age;
// known owners' paths (--vsphere.known-owner) are never reported. Reclaimable: the folder's bytes.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { datastoreLeftovers, leftoverFolderFinding } from './lib/vsphere-files.js';
import type { Removal } from './lib/vsphere-events.js';
import { knownOwners } from '../util/vsphere-known-owners.js';

export interface VsphereVmFolderLeftoverEvidence {
  vcenter: string;
  files: Array<{ path: string; sizeBytes: number }>;
  newestModified: string;
  /** The VmRemovedEvent of a VM of the folder's name, while vCenter keeps it. */
  removed: Removal | null;
}

export const vsphereVmFolderLeftover: Detector<
  'vsphere_vm_folder_leftover',
  VsphereVmFolderLeftoverEvidence,
  'vcenter' | 'datastore',
  'detect.orphan-min-age'
> = {
  kind: 'vsphere_vm_folder_leftover',
  labels: ['vcenter', 'datastore'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereVmFolderLeftover>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    for (const vc of s.vsphere?.vcenters ?? []) {
      for (const f of datastoreLeftovers(vc, now, options['detect.orphan-min-age'], owners).bareFolders) {
        const { files, newestModified, removed, ...finding } = leftoverFolderFinding(vc, f);
        out.push({
          kind: 'vsphere_vm_folder_leftover',
          ...finding,
          evidence: { vcenter: vc.vcenter, files, newestModified, removed },
        });
      }
    }
    return out;
  },
};
