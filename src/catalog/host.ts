// Kinds of the libvirt host family judged on the host itself: devices, hugepages, taps.
import type { KindEntry } from './kind-spec.js';
import { orphanImage } from '../detectors/orphan-image.js';
import { vfioDeviceWithoutDomain } from '../detectors/vfio-device-without-domain.js';
import { vfioGroupHeldByForeignProcess } from '../detectors/vfio-group-held-by-foreign-process.js';
import { mdevWithoutDomain } from '../detectors/mdev-without-domain.js';
import { hugepagesReservedWithoutDomain } from '../detectors/hugepages-reserved-without-domain.js';
import { tapWithoutDomain } from '../detectors/tap-without-domain.js';

export const HOST_KINDS = {
  orphan_image: {
    detector: orphanImage,
    title: 'image in a storage pool that no defined domain references',
    description:
      'An image file in a storage pool is referenced by no defined domain (active or inactive, directly or as any ' +
      'link of a backing chain), no process holds it or any file of its chain open, and it was last modified ' +
      'longer ago than the orphan age. Its bytes can be given back once a person has checked it.',
    diagnose: 'qemu-img info -U --backing-chain {{image}}',
    scope: 'host',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieOrphanImage',
      severity: 'info',
      for: '1h',
      summary: 'image {{ $labels.image }} in pool {{ $labels.pool }} is referenced by no domain',
    },
  },
  vfio_device_without_domain: {
    detector: vfioDeviceWithoutDomain,
    title: 'PCI device on vfio-pci that no running domain uses',
    description:
      'A PCI device (typically a GPU) is bound to vfio-pci but no running domain uses it: it was left behind when ' +
      'its guest stopped, and no host driver nor any new guest on another host can have it.',
    diagnose: 'lspci -nnk -s {{address}}',
    scope: 'host',
    reclaims: ['devices'],
    alert: {
      name: 'VMZombieVfioDeviceWithoutDomain',
      severity: 'critical',
      for: '30m',
      summary: '{{ $labels.class }} {{ $labels.address }} is bound to vfio-pci but no running domain uses it',
    },
  },
  vfio_group_held_by_foreign_process: {
    detector: vfioGroupHeldByForeignProcess,
    title: "VFIO group held by a process that is not its domain's qemu",
    description:
      'A VFIO group is held open by a process that is not the qemu of a running domain assigned to it: the devices ' +
      'of that IOMMU group cannot be given to a guest.',
    diagnose: 'ps -o pid,lstart,args -p {{pid}}',
    scope: 'host',
    reclaims: [],
    alert: {
      name: 'VMZombieVfioGroupHeldByForeignProcess',
      severity: 'warning',
      for: '10m',
      summary: 'IOMMU group {{ $labels.group }} is held by pid {{ $labels.pid }} ({{ $labels.comm }})',
    },
  },
  mdev_without_domain: {
    detector: mdevWithoutDomain,
    title: 'mediated device (vGPU) that no running domain uses',
    description:
      'A mediated device (vGPU slice) exists that no running domain uses: it keeps a share of its parent device ' +
      'reserved.',
    diagnose: 'ls -l /sys/bus/mdev/devices/{{uuid}}/',
    scope: 'host',
    reclaims: ['devices'],
    alert: {
      name: 'VMZombieMdevWithoutDomain',
      severity: 'warning',
      for: '30m',
      summary: 'mdev {{ $labels.uuid }} ({{ $labels.type }}) on {{ $labels.parent }} is used by no running domain',
    },
  },
  hugepages_reserved_without_domain: {
    detector: hugepagesReservedWithoutDomain,
    title: 'hugepages in use or reserved beyond what running domains account for',
    description:
      'More hugepages are in use or reserved than running hugepage-backed domains and other processes account for: ' +
      'memory is pinned that no guest uses.',
    diagnose: 'grep -i huge /proc/meminfo',
    scope: 'host',
    reclaims: ['memoryBytes'],
    alert: {
      name: 'VMZombieHugepagesWithoutDomain',
      severity: 'warning',
      for: '15m',
      summary: 'hugepages are held that no running domain accounts for',
    },
  },
  tap_without_domain: {
    detector: tapWithoutDomain,
    title: 'tap/macvtap interface that no running domain owns',
    description:
      'A tap or macvtap interface with a libvirt-style name exists that no running domain owns: it was left ' +
      'persistent or is held by a stray process.',
    diagnose: 'ip -d link show {{interface}}',
    scope: 'host',
    reclaims: [],
    alert: {
      name: 'VMZombieTapWithoutDomain',
      severity: 'warning',
      for: '15m',
      summary: 'interface {{ $labels.interface }} is owned by no running domain',
    },
  },
} as const satisfies Record<string, KindEntry>;
