// vsphere_consolidation_needed: runtime.consolidationNeeded is true: snapshot delta disks were left
// behind by a failed snapshot removal and keep growing until the disks are consolidated. The flag
// may stay true after consolidation until the VM is reloaded (govmomi #2503), so it is reported,
// never escalated on its age alone.
import type { Detector } from './detector.js';
import { vmEvidence, vsphereVms, type VmEvidence } from './lib/vsphere.js';

export type VsphereConsolidationNeededEvidence = VmEvidence;

export const vsphereConsolidationNeeded: Detector<
  'vsphere_consolidation_needed',
  VsphereConsolidationNeededEvidence,
  'vcenter' | 'vm'
> = {
  kind: 'vsphere_consolidation_needed',
  labels: ['vcenter', 'vm'],
  needs: ['vsphere'],
  detect(s) {
    return vsphereVms(s)
      .filter(({ vm }) => vm.consolidationNeeded === true)
      .map(({ vc, vm, subject }) => ({
        kind: 'vsphere_consolidation_needed',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name },
        since: null,
        reclaimable: {},
        evidence: vmEvidence(vc, vm),
      }));
  },
};
