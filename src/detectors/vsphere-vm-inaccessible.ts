// vsphere_vm_inaccessible: the VM's files cannot be read (inaccessible, e.g. its datastore is
// gone) or its configuration is corrupt (invalid). Label `reason` is the connection state.
import type { Detector } from './detector.js';
import { vmEvidence, vsphereVms, type VmEvidence } from './lib/vsphere.js';

export type VsphereVmInaccessibleEvidence = VmEvidence;

const STATES = new Set(['inaccessible', 'invalid']);

export const vsphereVmInaccessible: Detector<
  'vsphere_vm_inaccessible',
  VsphereVmInaccessibleEvidence,
  'vcenter' | 'vm' | 'reason'
> = {
  kind: 'vsphere_vm_inaccessible',
  labels: ['vcenter', 'vm', 'reason'],
  needs: ['vsphere'],
  detect(s) {
    return vsphereVms(s)
      .filter(({ vm }) => STATES.has(vm.connectionState))
      .map(({ vc, vm, subject }) => ({
        kind: 'vsphere_vm_inaccessible',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name, reason: vm.connectionState },
        since: null,
        reclaimable: {},
        evidence: vmEvidence(vc, vm),
      }));
  },
};
