// Shared pure helpers of the vsphere detectors: stable, unique subjects for VMs across vCenters,
// the VM's reclaimable capacity, and lookups by managed object id.
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { Vcenter, VsphereHost, VsphereVm } from '../../snapshot/vsphere.js';
import type { Reclaimable } from '../finding.js';

export interface VmRef {
  vc: Vcenter;
  vm: VsphereVm;
  subject: string;
}

/**
 * Every VM with its subject: the VM name, or, when the name is used by more than one VM in the
 * snapshot (two vCenters, two folders), "name (vcenter/moid)" so findings never merge.
 */
export function vsphereVms(s: Snapshot): VmRef[] {
  const vcs = s.vsphere?.vcenters ?? [];
  const count = new Map<string, number>();
  for (const vc of vcs) for (const vm of vc.vms) count.set(vm.name, (count.get(vm.name) ?? 0) + 1);
  return vcs.flatMap((vc) =>
    vc.vms.map((vm) => ({
      vc,
      vm,
      subject: (count.get(vm.name) ?? 0) > 1 ? `${vm.name} (${vc.vcenter}/${vm.moid})` : vm.name,
    })),
  );
}

export function vmReclaimable(vm: VsphereVm): Reclaimable {
  return {
    ...(vm.numCpu !== null ? { vcpus: vm.numCpu } : {}),
    ...(vm.memoryBytes !== null ? { memoryBytes: vm.memoryBytes } : {}),
  };
}

export function hostById(vc: Vcenter): Map<string, VsphereHost> {
  return new Map(vc.hosts.map((h) => [h.moid, h]));
}

/** Facts every VM finding carries as evidence. */
export interface VmEvidence {
  vcenter: string;
  moid: string;
  instanceUuid: string | null;
  vmPathName: string | null;
  powerState: string;
  connectionState: string;
  host: string | null;
}

export function vmEvidence(vc: Vcenter, vm: VsphereVm): VmEvidence {
  const host = vm.host ? (vc.hosts.find((h) => h.moid === vm.host)?.name ?? vm.host) : null;
  return {
    vcenter: vc.vcenter,
    moid: vm.moid,
    instanceUuid: vm.instanceUuid,
    vmPathName: vm.vmPathName,
    powerState: vm.powerState,
    connectionState: vm.connectionState,
    host,
  };
}
