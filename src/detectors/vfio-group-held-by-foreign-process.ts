// vfio_group_held_by_foreign_process: /dev/vfio/<group> (or a device of the group through
// iommufd) is held by a process that is not the qemu of a running domain owning a device in that
// group. The device cannot be given to a guest (or back to the host) until that process lets go.
import type { Detector, FindingFrom } from './detector.js';
import { indexDomainProcesses } from '../views/domain-processes.js';
import { VfioUsage, vfioUsage } from '../views/vfio.js';
import { commandLineText } from '../views/command-line-mask.js';

export interface VfioGroupHeldByForeignProcessEvidence {
  group: string;
  pid: number;
  comm: string;
  cmdline: string;
  startedAt: number | null;
  fds: string[];
  groupDevices: string[];
  /** Running domains owning a device of the group (their qemu would be entitled to hold it). */
  owners: string[];
}

export const vfioGroupHeldByForeignProcess: Detector<
  'vfio_group_held_by_foreign_process',
  VfioGroupHeldByForeignProcessEvidence,
  'group' | 'pid' | 'comm'
> = {
  kind: 'vfio_group_held_by_foreign_process',
  labels: ['group', 'pid', 'comm'],
  needs: ['sysfs', 'libvirt', 'procfs', 'libvirt.local'],
  detect(s) {
    const { sysfs, libvirt, procfs } = s;
    if (!sysfs || !libvirt || !procfs) return [];
    const usage = vfioUsage(sysfs, libvirt, procfs);
    const index = indexDomainProcesses(libvirt.domains, procfs);
    const processes = new Map(procfs.processes.map((p) => [p.pid, p]));
    const mdevGroups = new Map(sysfs.mdevs.map((m) => [m.uuid, m.iommuGroup]));
    const findings: Array<FindingFrom<typeof vfioGroupHeldByForeignProcess>> = [];
    for (const [group, holders] of usage.groupHolders) {
      const devices = VfioUsage.groupDevices(sysfs, group).map((a) => a.toLowerCase());
      const owners = libvirt.domains.filter(
        (d) =>
          index.processOf.has(d.uuid.toLowerCase()) &&
          d.hostdevs.some(
            (h) =>
              (h.type === 'pci' && devices.includes(h.address.toLowerCase())) ||
              (h.type === 'mdev' && mdevGroups.get(h.address.toLowerCase()) === group),
          ),
      );
      const entitled = new Set(owners.map((d) => index.processOf.get(d.uuid.toLowerCase())?.process.pid));
      const byPid = new Map<number, typeof holders>();
      for (const h of holders) if (!entitled.has(h.pid)) byPid.set(h.pid, [...(byPid.get(h.pid) ?? []), h]);
      for (const [pid, fds] of byPid) {
        const p = processes.get(pid);
        findings.push({
          kind: 'vfio_group_held_by_foreign_process',
          subject: `group ${group} pid ${pid}`,
          labels: { group, pid: String(pid), comm: p?.comm ?? '' },
          // From first sight, not process start: a destroyed guest's qemu may take seconds to let go.
          since: null,
          reclaimable: {},
          evidence: {
            group,
            pid,
            comm: p?.comm ?? '(exited)',
            cmdline: commandLineText(p?.cmdline ?? [], 512),
            startedAt: p?.startTimeSeconds ?? null,
            fds: fds.map((f) => `fd ${f.fd} → ${f.target}`),
            groupDevices: devices,
            owners: owners.map((d) => `${d.name} (${d.uuid}) ${d.state}`),
          },
        });
      }
    }
    return findings;
  },
};
