// hyperv_vm_critical: a VM whose state ends in "Critical" (RunningCritical, OffCritical,
// PausedCritical, ...): Hyper-V lost access to its storage, or paused it because the volume of its
// disks fell under 200 MB free. States are read by name: their numbers differ between Windows
// versions. The evidence names the disks Get-VHD could not read.
import type { Detector, FindingFrom } from './detector.js';
import { vhdsByPath, vmSubjects, pathKey } from './lib/hyperv.js';

export interface HypervVmCriticalEvidence {
  vmId: string;
  state: string;
  path: string | null;
  disks: Array<{ path: string; error: string | null }>;
}

export const hypervVmCritical: Detector<'hyperv_vm_critical', HypervVmCriticalEvidence, 'vm' | 'state'> = {
  kind: 'hyperv_vm_critical',
  labels: ['vm', 'state'],
  needs: ['hyperv'],
  detect(s) {
    const h = s.hyperv;
    if (!h) return [];
    const subjects = vmSubjects(h);
    const vhds = vhdsByPath(h);
    const out: Array<FindingFrom<typeof hypervVmCritical>> = [];
    for (const vm of h.vms) {
      if (!/Critical$/.test(vm.state)) continue;
      const disks = h.drives
        .filter((d) => d.vmId === vm.id && d.checkpointId === null)
        .map((d) => ({ path: d.path, error: vhds.get(pathKey(d.path))?.error ?? null }));
      out.push({
        kind: 'hyperv_vm_critical',
        subject: subjects.get(vm.id) ?? vm.name,
        labels: { vm: vm.name, state: vm.state },
        since: null,
        reclaimable: {},
        evidence: { vmId: vm.id, state: vm.state, path: vm.path, disks },
        refs: [`hyperv-vm:${vm.id}`],
      });
    }
    return out;
  },
};
