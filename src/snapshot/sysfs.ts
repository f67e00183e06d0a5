// Shape of what the sysfs source reads: PCI devices with their drivers and IOMMU groups, mediated
// devices (vGPU instances), hugepage pools and tap/macvtap interfaces.
import { z } from 'zod';

export const PciDeviceSchema = z.object({
  /** Sysfs name, e.g. 0000:01:00.0. */
  address: z.string(),
  /** Hex ids as sysfs prints them, e.g. 0x10de. */
  vendor: z.string(),
  device: z.string(),
  /** 24-bit class code, e.g. 0x030000 (VGA controller). */
  class: z.string(),
  /** Name of the bound driver (the `driver` link's last part); null when unbound. */
  driver: z.string().nullable(),
  /** driver_override; null when "(null)" or absent. */
  driverOverride: z.string().nullable(),
  iommuGroup: z.string().nullable(),
  numaNode: z.number().nullable(),
  /** vfio-dev/vfioN of a vfio-pci device (iommufd char device /dev/vfio/devices/vfioN). */
  vfioDev: z.string().nullable(),
});
export type PciDevice = z.infer<typeof PciDeviceSchema>;

export const IommuGroupSchema = z.object({
  group: z.string(),
  devices: z.array(z.string()),
});

export const MdevSchema = z.object({
  uuid: z.string(),
  /** Parent device's sysfs name (a PCI address for vGPUs). */
  parent: z.string(),
  /** mdev type, e.g. nvidia-63 or i915-GVTg_V5_4. */
  type: z.string().nullable(),
  iommuGroup: z.string().nullable(),
});
export type Mdev = z.infer<typeof MdevSchema>;

export const HugepageCountsSchema = z.object({
  nr: z.number(),
  free: z.number(),
  /** Reserved for mappings but not faulted in yet (global pools only; null per node). */
  resv: z.number().nullable(),
  surplus: z.number(),
});

export const HugepagePoolSchema = z.object({
  pageSizeBytes: z.number(),
  total: HugepageCountsSchema,
  nodes: z.array(HugepageCountsSchema.extend({ node: z.number() })),
});
export type HugepagePool = z.infer<typeof HugepagePoolSchema>;

export const TapInterfaceSchema = z.object({
  name: z.string(),
  kind: z.enum(['tap', 'tun', 'macvtap']),
  ifindex: z.number().nullable(),
  /** tun_flags as a number (IFF_TAP 0x0002, IFF_PERSIST 0x0800); null for macvtap. */
  tunFlags: z.number().nullable(),
  operstate: z.string().nullable(),
  mac: z.string().nullable(),
});
export type TapInterface = z.infer<typeof TapInterfaceSchema>;

export const SysfsSectionSchema = z.object({
  pciDevices: z.array(PciDeviceSchema),
  iommuGroups: z.array(IommuGroupSchema),
  mdevs: z.array(MdevSchema),
  hugepages: z.array(HugepagePoolSchema),
  /** tun/tap and macvtap interfaces only; other interfaces are left out. */
  taps: z.array(TapInterfaceSchema),
  problems: z.array(z.string()),
});
export type SysfsSection = z.infer<typeof SysfsSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    sysfs: SysfsSection;
  }
}
