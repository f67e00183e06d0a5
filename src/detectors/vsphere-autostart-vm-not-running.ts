// vsphere_autostart_vm_not_running: the host's autostart configuration says powerOn for a VM that
// is powered off, although the host has been up longer than the start delays plus
// --detect.autostart-grace (the same flag as libvirt's autostart_not_running). Hosts in a vSphere
// HA cluster are skipped: HA turns autostart off and restarts VMs itself. So are hosts whose
// autostart is disabled, that are not connected, or in maintenance mode.
import { AUTOSTART_GRACE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { vmEvidence, vsphereVms, type VmEvidence } from './lib/vsphere.js';

export interface VsphereAutostartVmNotRunningEvidence extends VmEvidence {
  hostBootTime: string;
  startDelaySeconds: number;
  startOrder: number;
}

export const vsphereAutostartVmNotRunning: Detector<
  'vsphere_autostart_vm_not_running',
  VsphereAutostartVmNotRunningEvidence,
  'vcenter' | 'vm' | 'host',
  'detect.autostart-grace'
> = {
  kind: 'vsphere_autostart_vm_not_running',
  labels: ['vcenter', 'vm', 'host'],
  knobs: { ...AUTOSTART_GRACE },
  needs: ['vsphere'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereAutostartVmNotRunning>> = [];
    const vms = new Map(vsphereVms(s).map((r) => [`${r.vc.vcenter}\u0000${r.vm.moid}`, r]));
    for (const vc of s.vsphere?.vcenters ?? []) {
      const clusters = new Map(vc.clusters.map((c) => [c.moid, c]));
      for (const host of vc.hosts) {
        const auto = host.autoStart;
        if (
          !auto ||
          auto.enabled !== true ||
          host.connectionState !== 'connected' ||
          host.inMaintenanceMode ||
          host.bootTime === null
        )
          continue;
        // In a cluster, only a cluster known to run without HA lets autostart act.
        if (host.parent?.type === 'ClusterComputeResource' && clusters.get(host.parent.value)?.haEnabled !== false)
          continue;
        const starts = auto.powerInfo.filter((p) => p.startAction === 'powerOn');
        const delays = starts.reduce(
          (n, p) => n + Math.max(0, p.startDelay >= 0 ? p.startDelay : auto.defaultStartDelay),
          0,
        );
        if (now - host.bootTime <= delays + options['detect.autostart-grace']) continue;
        for (const p of starts) {
          const ref = vms.get(`${vc.vcenter}\u0000${p.vm}`);
          if (!ref || ref.vm.template || ref.vm.powerState !== 'poweredOff' || ref.vm.connectionState !== 'connected')
            continue;
          out.push({
            kind: 'vsphere_autostart_vm_not_running',
            subject: ref.subject,
            labels: { vcenter: vc.vcenter, vm: ref.vm.name, host: host.name },
            since: null,
            reclaimable: {},
            evidence: {
              ...vmEvidence(vc, ref.vm),
              hostBootTime: new Date(host.bootTime * 1000).toISOString(),
              startDelaySeconds: p.startDelay >= 0 ? p.startDelay : auto.defaultStartDelay,
              startOrder: p.startOrder,
            },
          });
        }
      }
    }
    return out;
  },
};
