// hyperv_autostart_vm_not_running: a VM whose automatic start action is "Start" (always start with
// the host) is Off, although the host has been up longer than the VM's start delay plus
// --detect.autostart-grace (the flag libvirt's and vSphere's autostart kinds share). "StartIfRunning"
// is not judged: whether the VM ran when the host went down is not known here.
import { AUTOSTART_GRACE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { vmSubjects } from './lib/hyperv.js';

export interface HypervAutostartVmNotRunningEvidence {
  vmId: string;
  state: string;
  automaticStartAction: string;
  automaticStartDelaySeconds: number;
  hostBootTime: string;
}

export const hypervAutostartVmNotRunning: Detector<
  'hyperv_autostart_vm_not_running',
  HypervAutostartVmNotRunningEvidence,
  'vm',
  'detect.autostart-grace'
> = {
  kind: 'hyperv_autostart_vm_not_running',
  labels: ['vm'],
  knobs: { ...AUTOSTART_GRACE },
  needs: ['hyperv'],
  detect(s, { now, options }) {
    const h = s.hyperv;
    const boot = h?.host.bootTime ?? null;
    if (!h || boot === null) return [];
    const subjects = vmSubjects(h);
    const out: Array<FindingFrom<typeof hypervAutostartVmNotRunning>> = [];
    for (const vm of h.vms) {
      if (vm.automaticStartAction !== 'Start' || vm.state !== 'Off') continue;
      if (now - boot <= vm.automaticStartDelaySeconds + options['detect.autostart-grace']) continue;
      out.push({
        kind: 'hyperv_autostart_vm_not_running',
        subject: subjects.get(vm.id) ?? vm.name,
        labels: { vm: vm.name },
        since: null,
        reclaimable: {},
        evidence: {
          vmId: vm.id,
          state: vm.state,
          automaticStartAction: vm.automaticStartAction,
          automaticStartDelaySeconds: vm.automaticStartDelaySeconds,
          hostBootTime: new Date(boot * 1000).toISOString(),
        },
        refs: [`hyperv-vm:${vm.id}`],
      });
    }
    return out;
  },
};
