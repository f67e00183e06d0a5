// vsphere_vm_on_unreachable_host: a VM vCenter last saw powered on sits on a host that is
// disconnected or not responding. Whether it still runs is unknown: it may hold the host's
// resources, or HA may have restarted it elsewhere (then this copy is a ghost). The grace is
// --detect.host-grace, through the catalog.
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { hostById, vmEvidence, vsphereVms, type VmEvidence } from './lib/vsphere.js';

export interface VsphereVmOnUnreachableHostEvidence extends VmEvidence {
  hostConnectionState: string;
}

const UNREACHABLE = new Set(['disconnected', 'notResponding']);

export const vsphereVmOnUnreachableHost: Detector<
  'vsphere_vm_on_unreachable_host',
  VsphereVmOnUnreachableHostEvidence,
  'vcenter' | 'vm' | 'host',
  'detect.host-grace'
> = {
  kind: 'vsphere_vm_on_unreachable_host',
  labels: ['vcenter', 'vm', 'host'],
  knobs: {
    'detect.host-grace': duration(
      '5m',
      'How long a vSphere host may be disconnected/notResponding under a powered-on VM before ' +
        'vsphere_vm_on_unreachable_host.',
    ),
  },
  grace: 'detect.host-grace',
  needs: ['vsphere'],
  detect(s) {
    const hosts = new Map((s.vsphere?.vcenters ?? []).map((vc) => [vc.vcenter, hostById(vc)]));
    return vsphereVms(s).flatMap(({ vc, vm, subject }) => {
      const host = vm.host ? hosts.get(vc.vcenter)?.get(vm.host) : undefined;
      if (vm.powerState !== 'poweredOn' || !host || !UNREACHABLE.has(host.connectionState)) return [];
      return [
        {
          kind: 'vsphere_vm_on_unreachable_host' as const,
          subject,
          labels: { vcenter: vc.vcenter, vm: vm.name, host: host.name },
          since: null,
          reclaimable: {},
          evidence: { ...vmEvidence(vc, vm), hostConnectionState: host.connectionState },
        },
      ];
    });
  },
};
