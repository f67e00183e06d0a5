// vsphere_vm_powered_off_long: a VM powered off longer than --detect.vsphere-powered-off-max-age (30 days),
// still holding its disks (vCheck's "Powered Off VMs"). The time comes from vCenter's own record: its
// newest VmPoweredOffEvent; when the event history no longer holds one (retention, 30 days by default),
// the newest modification of the VM's files in the last scan (vmware.log is written at power-off), named
// as such in the evidence. Templates and known owners (SRM placeholders and vCLS through config.managedBy,
// Horizon replicas; --vsphere.known-owner) are silent. Reclaimable: the disk bytes no other VM shares.
import { duration } from '../config/flag-spec.js';
import type { Vcenter } from '../snapshot/vsphere.js';
import type { Detector, FindingFrom } from './detector.js';
import { vsphereVms } from './lib/vsphere.js';
import { dirname, parseDatastorePath } from '../util/datastore-path.js';
import { knownOwners } from '../util/vsphere-known-owners.js';

export interface VsphereVmPoweredOffLongEvidence {
  vcenter: string;
  moid: string;
  vmPathName: string | null;
  poweredOffAt: string;
  /** `event`: vCenter's VmPoweredOffEvent; `files`: newest modification of the VM's files (no event kept). */
  poweredOffFrom: 'event' | 'files';
  /** Who powered it off, from the event. */
  user: string | null;
  diskFiles: Array<{ path: string; sizeBytes: number }>;
}

const DISK_TYPES = new Set(['diskDescriptor', 'diskExtent']);

export const vsphereVmPoweredOffLong: Detector<
  'vsphere_vm_powered_off_long',
  VsphereVmPoweredOffLongEvidence,
  'vcenter' | 'vm',
  'detect.vsphere-powered-off-max-age'
> = {
  kind: 'vsphere_vm_powered_off_long',
  labels: ['vcenter', 'vm'],
  knobs: {
    'detect.vsphere-powered-off-max-age': duration(
      '720h',
      'A vSphere VM powered off longer than this is vsphere_vm_powered_off_long (time from its power-off event).',
    ),
  },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereVmPoweredOffLong>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    const maxAge = options['detect.vsphere-powered-off-max-age'];
    for (const { vc, vm, subject } of vsphereVms(s)) {
      if (vm.powerState !== 'poweredOff' || vm.template || vm.connectionState !== 'connected') continue;
      if (owners.vm(vm.name, vm.managedBy?.extensionKey ?? null)) continue;
      const event = (vc.files.events ?? [])
        .filter((e) => e.type === 'VmPoweredOffEvent' && e.vmMoid === vm.moid)
        .sort((a, b) => b.time - a.time)[0];
      const at = event?.time ?? newestFileTime(vc, vm.vmPathName);
      if (at === null || now - at <= maxAge) continue;
      // Disk files another VM's layout also names (a linked clone's base) are not this VM's alone.
      const layout = vc.files.layouts.find((l) => l.vm === vm.moid);
      const shared = new Set(
        vc.files.layouts.filter((l) => l.vm !== vm.moid).flatMap((l) => l.files.map((f) => f.name)),
      );
      const disks = (layout?.files ?? []).filter((f) => DISK_TYPES.has(f.type) && !shared.has(f.name));
      out.push({
        kind: 'vsphere_vm_powered_off_long',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name },
        since: at + maxAge,
        reclaimable: { diskBytes: disks.reduce((n, f) => n + f.sizeBytes, 0) },
        evidence: {
          vcenter: vc.vcenter,
          moid: vm.moid,
          vmPathName: vm.vmPathName,
          poweredOffAt: new Date(at * 1000).toISOString(),
          poweredOffFrom: event ? 'event' : 'files',
          user: event?.user || null,
          diskFiles: disks.map((f) => ({ path: f.name, sizeBytes: f.sizeBytes })),
        },
      });
    }
    return out;
  },
};

/** The newest modification of any file in the VM's home folder, from the last datastore listing. */
function newestFileTime(vc: Vcenter, vmx: string | null): number | null {
  const home = vmx ? parseDatastorePath(vmx) : null;
  if (!home) return null;
  const ds = vc.files.datastores.find((d) => d.datastore === home.datastore && d.error === null);
  const folder = dirname(home.path);
  const times = (ds?.files ?? []).filter((f) => dirname(f.path) === folder).map((f) => f.modified);
  if (times.length === 0 || times.some((t) => t === null)) return null;
  return Math.max(...(times as number[]));
}
