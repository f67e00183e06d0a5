// Who uses which VFIO device: the running domains that list a PCI or mdev hostdev, and the
// processes holding /dev/vfio/<group> (legacy container API) or a VFIO device fd (iommufd cdev
// /dev/vfio/devices/vfioN, or any fd whose fdinfo names vfio-device-syspath).
import type { Domain, LibvirtSection } from '../snapshot/libvirt.js';
import type { ProcfsSection } from '../snapshot/procfs.js';
import type { PciDevice, SysfsSection } from '../snapshot/sysfs.js';
import { isActive } from './domain-processes.js';
import { pushTo } from './multimap.js';
import { memoByIdentity } from './memo.js';

export interface VfioHolder {
  pid: number;
  fd: number;
  comm: string;
  /** The fd's target, e.g. /dev/vfio/12. */
  target: string;
  /** The IOMMU group this fd gives access to. */
  group: string;
}

/** GPU for display/3D controllers (class 0x03xxxx), NVMe, network, or the hex class code. */
export function deviceClassName(cls: string): string {
  const code = cls.toLowerCase().replace(/^0x/, '').padStart(6, '0');
  if (code.startsWith('03')) return 'gpu';
  if (code.startsWith('0108')) return 'nvme';
  if (code.startsWith('02')) return 'network';
  if (code.startsWith('0c03')) return 'usb';
  if (code.startsWith('0403')) return 'audio';
  return `0x${code}`;
}

export class VfioUsage {
  /** PCI address → active domains listing it as a hostdev. */
  readonly pciUsers = new Map<string, Domain[]>();
  /** mdev uuid → active domains using it. */
  readonly mdevUsers = new Map<string, Domain[]>();
  /** IOMMU group → processes holding it open. */
  readonly groupHolders = new Map<string, VfioHolder[]>();
  readonly deviceByAddress: Map<string, PciDevice>;

  constructor(sysfs: SysfsSection, libvirt: LibvirtSection, procfs: ProcfsSection) {
    this.deviceByAddress = new Map(sysfs.pciDevices.map((d) => [d.address.toLowerCase(), d]));
    for (const d of libvirt.domains) {
      if (!isActive(d)) continue;
      for (const h of d.hostdevs) {
        const key = h.address.toLowerCase();
        if (h.type === 'pci') pushTo(this.pciUsers, key, d);
        else if (h.type === 'mdev') pushTo(this.mdevUsers, key, d);
      }
    }
    const byVfioDev = new Map(sysfs.pciDevices.filter((d) => d.vfioDev).map((d) => [d.vfioDev as string, d]));
    const comms = new Map(procfs.processes.map((p) => [p.pid, p.comm]));
    for (const f of procfs.openFiles) {
      let group: string | null = null;
      const legacy = /^\/dev\/vfio\/(\d+)$/.exec(f.target);
      const cdev = /^\/dev\/vfio\/devices\/(vfio\d+)$/.exec(f.target);
      if (legacy) group = legacy[1] as string;
      else if (cdev) group = byVfioDev.get(cdev[1] as string)?.iommuGroup ?? null;
      if (group === null && f.vfioDeviceSyspath) {
        const address = f.vfioDeviceSyspath.replace(/\/+$/, '').split('/').pop() ?? '';
        group = this.deviceByAddress.get(address.toLowerCase())?.iommuGroup ?? null;
      }
      if (group === null) continue;
      pushTo(this.groupHolders, group, {
        pid: f.pid,
        fd: f.fd,
        comm: comms.get(f.pid) ?? '(exited)',
        target: f.target,
        group,
      });
    }
  }

  /** In use: a running domain lists it, or a process holds its IOMMU group open. */
  inUse(dev: PciDevice): boolean {
    return (
      this.pciUsers.has(dev.address.toLowerCase()) || (dev.iommuGroup !== null && this.groupHolders.has(dev.iommuGroup))
    );
  }

  /** Devices of a group as sysfs lists them (falls back to the devices whose iommu_group link names it). */
  static groupDevices(sysfs: SysfsSection, group: string): string[] {
    const listed = sysfs.iommuGroups.find((g) => g.group === group)?.devices;
    return listed ?? sysfs.pciDevices.filter((d) => d.iommuGroup === group).map((d) => d.address);
  }
}

const usageOnce = memoByIdentity(
  (sysfs: SysfsSection, pair: { libvirt: LibvirtSection; procfs: ProcfsSection }) =>
    new VfioUsage(sysfs, pair.libvirt, pair.procfs),
);
const pairs = new WeakMap<LibvirtSection, WeakMap<ProcfsSection, { libvirt: LibvirtSection; procfs: ProcfsSection }>>();

/** The VFIO usage of one snapshot, computed once for the detectors and the device metrics. */
export function vfioUsage(sysfs: SysfsSection, libvirt: LibvirtSection, procfs: ProcfsSection): VfioUsage {
  let inner = pairs.get(libvirt);
  if (!inner) pairs.set(libvirt, (inner = new WeakMap()));
  let pair = inner.get(procfs);
  if (!pair) inner.set(procfs, (pair = { libvirt, procfs }));
  return usageOnce(sysfs, pair);
}
