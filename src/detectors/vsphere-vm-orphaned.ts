// vsphere_vm_orphaned: vCenter still lists the VM but its host no longer has it
// (runtime.connectionState = orphaned), e.g. after it was removed on the host directly.
import type { Detector } from './detector.js';
import { vmEvidence, vmReclaimable, vsphereVms, type VmEvidence } from './lib/vsphere.js';

export type VsphereVmOrphanedEvidence = VmEvidence;

export const vsphereVmOrphaned: Detector<'vsphere_vm_orphaned', VsphereVmOrphanedEvidence, 'vcenter' | 'vm'> = {
  kind: 'vsphere_vm_orphaned',
  labels: ['vcenter', 'vm'],
  needs: ['vsphere'],
  detect(s) {
    return vsphereVms(s)
      .filter(({ vm }) => vm.connectionState === 'orphaned')
      .map(({ vc, vm, subject }) => ({
        kind: 'vsphere_vm_orphaned',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name },
        since: null,
        reclaimable: vmReclaimable(vm),
        evidence: vmEvidence(vc, vm),
      }));
  },
};
