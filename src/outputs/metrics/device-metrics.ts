// PCI device info for passthrough-relevant devices (bound to vfio-pci, or GPUs and NVMe drives on
// any driver) and the count of vfio-pci devices a running domain uses or not.
import { Gauge } from 'prom-client';
import { deviceClassName, vfioUsage } from '../../views/vfio.js';
import type { DetectionResult, FindingKind } from '../../detectors/finding.js';
import type { SectionMetricsFactory } from './section-metrics.js';

/** The kind's detector ran on this snapshot: not skipped for a missing section or fact, not failed. */
function detectorJudged(detection: DetectionResult | undefined, kind: FindingKind): boolean {
  if (!detection) return false;
  return !(kind in detection.skipped) && !(kind in detection.errors) && !detection.inapplicable.includes(kind);
}

const PCI_LABELS = ['address', 'vendor', 'device', 'class', 'driver', 'iommu_group'] as const;

export const deviceMetrics: SectionMetricsFactory = (registry) => {
  const info = new Gauge<(typeof PCI_LABELS)[number]>({
    name: 'vmzombie_pci_device_info',
    help: 'PCI devices bound to vfio-pci, and GPUs and NVMe drives on any driver; value 1.',
    labelNames: [...PCI_LABELS],
    registers: [registry],
  });
  const vfio = new Gauge<'state'>({
    name: 'vmzombie_vfio_devices',
    help:
      'PCI devices bound to vfio-pci: assigned (a running domain lists it, or a process holds its IOMMU group) ' +
      'or unassigned.',
    labelNames: ['state'],
    registers: [registry],
  });
  return {
    update(snapshot, detection) {
      info.reset();
      vfio.reset();
      const { sysfs, libvirt } = snapshot;
      if (!sysfs) return;
      for (const d of sysfs.pciDevices) {
        const cls = deviceClassName(d.class);
        if (d.driver === null || (d.driver !== 'vfio-pci' && cls !== 'gpu' && cls !== 'nvme')) continue;
        info.set(
          {
            address: d.address,
            vendor: d.vendor,
            device: d.device,
            class: cls,
            driver: d.driver,
            iommu_group: d.iommuGroup ?? '',
          },
          1,
        );
      }
      // The same rule as vfio_device_without_domain, counted only when that detector could judge this
      // snapshot (its declared sections and facts held), so the two never disagree.
      const { procfs } = snapshot;
      if (!libvirt || !procfs || !detectorJudged(detection, 'vfio_device_without_domain')) return;
      const usage = vfioUsage(sysfs, libvirt, procfs);
      const onVfio = sysfs.pciDevices.filter((d) => d.driver === 'vfio-pci');
      const used = onVfio.filter((d) => usage.inUse(d)).length;
      vfio.set({ state: 'assigned' }, used);
      vfio.set({ state: 'unassigned' }, onVfio.length - used);
    },
  };
};
