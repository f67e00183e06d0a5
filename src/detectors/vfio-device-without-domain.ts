// vfio_device_without_domain: a PCI device bound to vfio-pci that no running domain lists as a
// hostdev and no process holds open: "ghost occupancy", typically a GPU left on vfio-pci after its
// VM was deleted (libvirt's managed reattach only logs "Failed to re-attach PCI device").
import type { Detector, FindingFrom } from './detector.js';
import { deviceClassName, VfioUsage, vfioUsage } from '../views/vfio.js';

export interface VfioDeviceWithoutDomainEvidence {
  address: string;
  vendor: string;
  device: string;
  class: string;
  driverOverride: string | null;
  iommuGroup: string | null;
  groupDevices: string[];
  numaNode: number | null;
  /** Shut-off domains that list the device (it would be used again when they start). */
  definedBy: string[];
}

export const vfioDeviceWithoutDomain: Detector<
  'vfio_device_without_domain',
  VfioDeviceWithoutDomainEvidence,
  'address' | 'class' | 'vendor' | 'device'
> = {
  kind: 'vfio_device_without_domain',
  labels: ['address', 'class', 'vendor', 'device'],
  needs: ['sysfs', 'libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
  detect(s) {
    const { sysfs, libvirt, procfs } = s;
    // Remote libvirt: its domains are not this host's. Hidden processes: a holder may be invisible.
    if (!sysfs || !libvirt || !procfs) return [];
    const usage = vfioUsage(sysfs, libvirt, procfs);
    const findings: Array<FindingFrom<typeof vfioDeviceWithoutDomain>> = [];
    for (const dev of sysfs.pciDevices) {
      if (dev.driver !== 'vfio-pci') continue;
      const address = dev.address.toLowerCase();
      if (usage.inUse(dev)) continue;
      findings.push({
        kind: 'vfio_device_without_domain',
        subject: dev.address,
        labels: { address: dev.address, class: deviceClassName(dev.class), vendor: dev.vendor, device: dev.device },
        since: null,
        reclaimable: { devices: 1 },
        evidence: {
          address: dev.address,
          vendor: dev.vendor,
          device: dev.device,
          class: dev.class,
          driverOverride: dev.driverOverride,
          iommuGroup: dev.iommuGroup,
          groupDevices: dev.iommuGroup === null ? [] : VfioUsage.groupDevices(sysfs, dev.iommuGroup),
          numaNode: dev.numaNode,
          definedBy: libvirt.domains
            .filter((d) => d.hostdevs.some((h) => h.type === 'pci' && h.address.toLowerCase() === address))
            .map((d) => `${d.name} (${d.uuid}) ${d.state}`),
        },
      });
    }
    return findings;
  },
};
