// One entry per finding kind, each naming its detector. The kind union, each kind's evidence and labels,
// the detector list and the `detect.*` flags are all derived from these entries.
import type { KindEntry } from './kind-spec.js';
import type { AnyDetector } from '../detectors/detector.js';
import { qemuWithoutDomain } from '../detectors/qemu-without-domain.js';
import { domainWithoutProcess } from '../detectors/domain-without-process.js';
import { autostartNotRunning } from '../detectors/autostart-not-running.js';
import { domainPaused } from '../detectors/domain-paused.js';
import { domainStuckShuttingDown } from '../detectors/domain-stuck-shutting-down.js';
import { domainCrashed } from '../detectors/domain-crashed.js';
import { imageLockedByForeignProcess } from '../detectors/image-locked-by-foreign-process.js';
import { imageLockedWhileDomainInactive } from '../detectors/image-locked-while-domain-inactive.js';
import { kubevirtStuckDeletion } from '../detectors/kubevirt-stuck-deletion.js';
import { kubevirtVmStuckStatus } from '../detectors/kubevirt-vm-stuck-status.js';
import { virtLauncherPodOrphaned } from '../detectors/virt-launcher-pod-orphaned.js';
import { kubevirtFreezeLoop } from '../detectors/kubevirt-freeze-loop.js';
import { kubevirtBackupError } from '../detectors/kubevirt-backup-error.js';
import { virtHandlerMemoryNearLimit } from '../detectors/virt-handler-memory-near-limit.js';
import { vsphereVmOrphaned } from '../detectors/vsphere-vm-orphaned.js';
import { vsphereVmInaccessible } from '../detectors/vsphere-vm-inaccessible.js';
import { vsphereVmOnUnreachableHost } from '../detectors/vsphere-vm-on-unreachable-host.js';
import { vsphereConsolidationNeeded } from '../detectors/vsphere-consolidation-needed.js';
import { vsphereSnapshotStale } from '../detectors/vsphere-snapshot-stale.js';
import { vsphereSnapshotChainDeep } from '../detectors/vsphere-snapshot-chain-deep.js';
import { vsphereUnregisteredVmFolder } from '../detectors/vsphere-unregistered-vm-folder.js';
import { vsphereOrphanDisk } from '../detectors/vsphere-orphan-disk.js';
import { vsphereAutostartVmNotRunning } from '../detectors/vsphere-autostart-vm-not-running.js';
import { orphanImage } from '../detectors/orphan-image.js';
import { backingChainMissingLink } from '../detectors/backing-chain-missing-link.js';
import { snapshotChainDeep } from '../detectors/snapshot-chain-deep.js';
import { vfioDeviceWithoutDomain } from '../detectors/vfio-device-without-domain.js';
import { vfioGroupHeldByForeignProcess } from '../detectors/vfio-group-held-by-foreign-process.js';
import { mdevWithoutDomain } from '../detectors/mdev-without-domain.js';
import { hugepagesReservedWithoutDomain } from '../detectors/hugepages-reserved-without-domain.js';
import { tapWithoutDomain } from '../detectors/tap-without-domain.js';
import { HYPERV_CATALOG_ENTRIES } from './hyperv.js';

export const CATALOG_ENTRIES = {
  qemu_without_domain: {
    detector: qemuWithoutDomain,
    title: 'qemu process that no libvirt domain owns',
    description:
      'A qemu guest process runs that no active libvirt domain owns: libvirt lost track of it (a daemon crash or ' +
      "restart, a half-finished destroy) or someone started it by hand. It keeps the guest's vCPUs and memory, and " +
      'holds its disk images open and locked.',
    diagnose: 'ps -o pid,lstart,rss,args -p {{pid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieQemuWithoutDomain',
      severity: 'warning',
      for: '5m',
      summary: 'qemu pid {{ $labels.pid }} ({{ $labels.guest }}) runs without a libvirt domain',
    },
  },
  domain_without_process: {
    detector: domainWithoutProcess,
    title: 'libvirt says the domain runs, but no qemu process exists',
    description:
      'libvirt reports the domain as running, paused or in shutdown, but no live qemu process has its recorded pid ' +
      "or uuid. libvirt's view is wrong: a start, migration or destroy of this domain may fail or act on the wrong " +
      'process.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieDomainWithoutProcess',
      severity: 'warning',
      for: '5m',
      summary: 'domain {{ $labels.domain }} is active in libvirt but has no qemu process',
    },
  },
  autostart_not_running: {
    detector: autostartNotRunning,
    title: 'autostart domain not running',
    description:
      'A domain marked autostart is not running although the host and libvirtd have been up longer than the ' +
      'autostart grace: it did not come back after a reboot or was stopped and forgotten.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieAutostartDomainNotRunning',
      severity: 'warning',
      for: '10m',
      summary: 'autostart domain {{ $labels.domain }} is not running',
    },
  },
  domain_paused: {
    detector: domainPaused,
    title: 'domain paused, memory still held',
    description:
      'A domain has been paused (by a user, an I/O error, a full disk, a failed migration or a snapshot) for longer ' +
      'than the paused grace. A paused guest serves nothing but keeps all its memory and vCPUs reserved.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainPaused',
      severity: 'warning',
      for: '30m',
      summary: 'domain {{ $labels.domain }} paused ({{ $labels.reason }})',
    },
  },
  domain_stuck_shutting_down: {
    detector: domainStuckShuttingDown,
    title: 'domain stuck in shutdown',
    description:
      'A domain has been in shutdown for longer than the shutdown grace: the guest ignored or never finished the ' +
      'ACPI shutdown request, and keeps its memory and vCPUs.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainStuckShuttingDown',
      severity: 'warning',
      for: '5m',
      summary: 'domain {{ $labels.domain }} has been shutting down too long',
    },
  },
  domain_crashed: {
    detector: domainCrashed,
    title: 'domain crashed or failed',
    description:
      'A domain is shut off with reason crashed or failed, or libvirt reports it crashed: its qemu died (killed, out ' +
      'of memory, a qemu or guest panic) and nobody restarted it.',
    diagnose: 'tail -n 50 /var/log/libvirt/qemu/{{domain}}.log',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainCrashed',
      severity: 'warning',
      for: '1m',
      summary: 'domain {{ $labels.domain }} crashed ({{ $labels.reason }})',
    },
  },
  image_locked_by_foreign_process: {
    detector: imageLockedByForeignProcess,
    title: "running domain's image locked by another process",
    description:
      "A disk image of a running domain is locked by a process that is not that domain's qemu (a second qemu, a " +
      "backup or copy tool, a stray qemu-img). Two writers on one image corrupt it; the domain's own qemu may also " +
      'fail to reopen it.',
    diagnose: 'lsof {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieImageLockedByForeignProcess',
      severity: 'critical',
      for: '10m',
      summary: 'image {{ $labels.image }} of {{ $labels.domain }} is locked by a process that is not its qemu',
    },
  },
  image_locked_while_domain_inactive: {
    detector: imageLockedWhileDomainInactive,
    title: 'image of a shut-off domain still locked',
    description:
      'A disk image of a shut-off domain is still locked by some process: the domain cannot start again until the ' +
      'lock is released, and whatever holds it may be writing to the image.',
    diagnose: 'lsof {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieImageLockedWhileDomainInactive',
      severity: 'warning',
      for: '5m',
      summary: 'image {{ $labels.image }} is locked although {{ $labels.domain }} is shut off',
    },
  },
  kubevirt_stuck_deletion: {
    detector: kubevirtStuckDeletion,
    title: 'Kubernetes object stuck in deletion (finalizer never removed)',
    description:
      'A KubeVirt, CDI or Harvester object has carried a deletionTimestamp for longer than the deletion grace ' +
      "because a finalizer was never removed: the object and what it holds (PVCs, snapshots, the VM's name) are " +
      'not given back. One series per finalizer, with its age.',
    diagnose: 'kubectl get {{resource}} -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtStuckDeletion',
      severity: 'warning',
      for: '10m',
      summary: '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} has been deleting for too long',
    },
  },
  kubevirt_vm_stuck_status: {
    detector: kubevirtVmStuckStatus,
    title: 'VirtualMachine stuck in Stopping, Terminating, Unknown or an error status',
    description:
      'A VirtualMachine has stayed Stopping, Terminating, Unknown or in an error status for longer than the VM ' +
      'status grace: KubeVirt could not finish what was asked of it.',
    diagnose: 'kubectl get vm -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtVMStuckStatus',
      severity: 'warning',
      for: '10m',
      summary: 'VM {{ $labels.namespace }}/{{ $labels.name }} stuck in {{ $labels.status }}',
    },
  },
  virt_launcher_pod_orphaned: {
    detector: virtLauncherPodOrphaned,
    title: 'virt-launcher pod without its VMI, or a deleted VMI without its pod',
    description:
      "A virt-launcher pod runs whose VirtualMachineInstance is gone, keeping the node's CPU, memory and devices, or " +
      'a VMI is left whose virt-launcher pod is gone.',
    diagnose: 'kubectl get {{resource}} -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieVirtLauncherPodOrphaned',
      severity: 'warning',
      for: '10m',
      summary:
        '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} lost its virt-launcher/VMI counterpart',
    },
  },
  kubevirt_freeze_loop: {
    detector: kubevirtFreezeLoop,
    title: 'VMI guest filesystem frozen and thawed in a loop',
    description:
      "A VMI's guest filesystems were frozen and thawed more often than allowed within the freeze window: a backup " +
      "or snapshot controller retries in a loop, and every freeze stalls the guest's writes.",
    diagnose: 'kubectl get vmi -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtFreezeLoop',
      severity: 'critical',
      for: '2m',
      summary: 'VMI {{ $labels.namespace }}/{{ $labels.name }} is frozen and unfrozen again and again',
    },
  },
  kubevirt_backup_error: {
    detector: kubevirtBackupError,
    title: 'VM backup in Error (Harvester retries it, freezing the guest each time)',
    description:
      'A Harvester VirtualMachineBackup or Longhorn backup is in Error. Harvester keeps retrying it, which freezes ' +
      'the guest each time, and the backup holds snapshots and target space.',
    diagnose: 'kubectl get {{resource}} -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtBackupError',
      severity: 'warning',
      for: '5m',
      summary: 'backup {{ $labels.namespace }}/{{ $labels.name }} of {{ $labels.source }} is in Error',
    },
  },
  virt_handler_memory_near_limit: {
    detector: virtHandlerMemoryNearLimit,
    title: 'virt-handler working set near its memory limit',
    description:
      "A virt-handler container's working set is above the configured percentage of its memory limit: it leaks or is " +
      'sized too small, and an OOM kill interrupts VM management on its node.',
    diagnose: 'kubectl top pod -n {{namespace}} {{pod}} --containers',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieVirtHandlerMemoryNearLimit',
      severity: 'warning',
      for: '5m',
      summary: 'virt-handler {{ $labels.pod }} on {{ $labels.node }} is near its memory limit',
    },
  },
  vsphere_vm_orphaned: {
    detector: vsphereVmOrphaned,
    title: 'vSphere VM orphaned: vCenter lists it, its host no longer has it',
    description:
      'vCenter lists the VM with connection state orphaned: the host it was registered on no longer knows it. Its ' +
      'inventory entry, and possibly its files, are never given back.',
    diagnose: 'govc vm.info -r {{vm}}',
    scope: 'vsphere',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieVsphereVmOrphaned',
      severity: 'warning',
      for: '15m',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} is orphaned',
    },
  },
  vsphere_vm_inaccessible: {
    detector: vsphereVmInaccessible,
    title: 'vSphere VM inaccessible or invalid: its files or configuration cannot be read',
    description:
      "vCenter cannot read the VM's files or configuration (connection state inaccessible or invalid): its datastore " +
      'is gone or its .vmx is broken, and its disks still take datastore space.',
    diagnose: 'govc vm.info -r {{vm}}',
    scope: 'vsphere',
    reclaims: [],
    alert: {
      name: 'VMZombieVsphereVmInaccessible',
      severity: 'warning',
      for: '15m',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} is {{ $labels.reason }}',
    },
  },
  vsphere_vm_on_unreachable_host: {
    detector: vsphereVmOnUnreachableHost,
    title: 'vSphere VM last seen powered on, on a host that is disconnected or not responding',
    description:
      'A VM was powered on when its host became disconnected or stopped responding, and no HA restart moved it: the ' +
      'guest may be down while vCenter still shows it on that host.',
    diagnose: 'govc host.info {{host}}',
    scope: 'vsphere',
    reclaims: [],
    alert: {
      name: 'VMZombieVsphereVmOnUnreachableHost',
      severity: 'warning',
      for: '5m',
      summary: 'VM {{ $labels.vm }} was powered on when host {{ $labels.host }} became unreachable',
    },
  },
  vsphere_consolidation_needed: {
    detector: vsphereConsolidationNeeded,
    title: "vSphere VM's disks need consolidation (snapshot deltas left behind)",
    description:
      "vCenter reports that the VM's disks need consolidation: snapshot delta disks were left behind by a failed " +
      'snapshot removal, and grow on the datastore.',
    diagnose: 'govc snapshot.tree -vm {{vm}} -D -i',
    scope: 'vsphere',
    reclaims: [],
    alert: {
      name: 'VMZombieVsphereConsolidationNeeded',
      severity: 'warning',
      for: '30m',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} needs disk consolidation',
    },
  },
  vsphere_snapshot_stale: {
    detector: vsphereSnapshotStale,
    title: 'vSphere snapshot older than the maximum age',
    description:
      'A VM snapshot is older than the maximum snapshot age: its delta disk keeps growing with every write and slows ' +
      'the VM.',
    diagnose: 'govc snapshot.tree -vm {{vm}} -D -i',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereSnapshotStale',
      severity: 'warning',
      for: '1h',
      summary: 'snapshot {{ $labels.snapshot }} of VM {{ $labels.vm }} is older than allowed',
    },
  },
  vsphere_snapshot_chain_deep: {
    detector: vsphereSnapshotChainDeep,
    title: 'vSphere snapshot chain deeper than the maximum depth',
    description:
      "A VM's snapshot tree is deeper than the maximum depth: every read walks the chain, and consolidating it later " +
      'takes long.',
    diagnose: 'govc snapshot.tree -vm {{vm}} -D -i',
    scope: 'vsphere',
    reclaims: [],
    alert: {
      name: 'VMZombieVsphereSnapshotChainDeep',
      severity: 'warning',
      for: '1h',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} has a deep snapshot chain',
    },
  },
  vsphere_unregistered_vm_folder: {
    detector: vsphereUnregisteredVmFolder,
    title: 'datastore folder with a .vmx that no registered VM uses',
    description:
      'A datastore folder holds a .vmx file that no registered VM or template uses, older than the orphan age: a VM ' +
      'was removed from the inventory and its files were left behind.',
    diagnose: 'govc datastore.ls -ds {{datastore}} -l {{subject}}',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereUnregisteredVmFolder',
      severity: 'info',
      for: '1h',
      summary: 'VM folder {{ $labels.subject }} holds a VM nobody registered',
    },
  },
  vsphere_orphan_disk: {
    detector: vsphereOrphanDisk,
    title: 'virtual disk on a datastore that no VM or template references',
    description:
      'A virtual disk on a datastore is referenced by no VM or template and is older than the orphan age: its space ' +
      'is never given back.',
    diagnose: 'govc datastore.ls -ds {{datastore}} -l {{subject}}',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereOrphanDisk',
      severity: 'info',
      for: '1h',
      summary: 'disk {{ $labels.subject }} is referenced by no VM',
    },
  },
  vsphere_autostart_vm_not_running: {
    detector: vsphereAutostartVmNotRunning,
    title: 'vSphere VM set to start with its host is powered off',
    description:
      'A VM configured to start with its host is powered off although the host is connected: it did not come back ' +
      'after the host restarted.',
    diagnose: 'govc host.autostart.info -host {{host}}',
    scope: 'vsphere',
    reclaims: [],
    alert: {
      name: 'VMZombieVsphereAutostartVmNotRunning',
      severity: 'warning',
      for: '10m',
      summary: 'VM {{ $labels.vm }} should have started with host {{ $labels.host }}',
    },
  },
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
  backing_chain_missing_link: {
    detector: backingChainMissingLink,
    title: "a domain's disk chain names a backing file that does not exist",
    description:
      "A domain's disk chain names a backing file that does not exist: the domain cannot start again, and a running " +
      'guest may be reading a file that was deleted while open.',
    diagnose: 'qemu-img info -U --backing-chain {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieBackingChainMissingLink',
      severity: 'critical',
      for: '5m',
      summary: 'backing file of {{ $labels.image }} ({{ $labels.domain }}) is missing',
    },
  },
  snapshot_chain_deep: {
    detector: snapshotChainDeep,
    title: 'disk chain deeper than --detect.max-chain-depth',
    description:
      "A domain's disk chain (active layer plus backing files) is deeper than the maximum depth: every read may walk " +
      'the chain, and external snapshots were never merged back.',
    diagnose: 'virsh -r domblklist {{uuid}} --details',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieSnapshotChainDeep',
      severity: 'warning',
      for: '1h',
      summary: 'disk {{ $labels.target }} of {{ $labels.domain }} has a deep backing chain',
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
  ...HYPERV_CATALOG_ENTRIES,
} as const satisfies Record<string, KindEntry>;

type Entries = typeof CATALOG_ENTRIES;
type Kind = keyof Entries;

// An entry whose detector reports another kind does not compile.
type MisfiledKinds = { [K in Kind]: Entries[K]['detector']['kind'] extends K ? never : K }[Kind];
const entriesMatchTheirDetectors: [MisfiledKinds] extends [never] ? true : MisfiledKinds = true;
void entriesMatchTheirDetectors;

export type CatalogSpec<K extends Kind> = Entries[K] & { labels: Entries[K]['detector']['labels']; graceFlag: string };

export const CATALOG = Object.fromEntries(
  Object.entries(CATALOG_ENTRIES).map(([kind, entry]) => [
    kind,
    { ...entry, labels: entry.detector.labels, graceFlag: entry.detector.grace ?? 'detect.grace' },
  ]),
) as { [K in Kind]: CatalogSpec<K> };

export const FINDING_KINDS = Object.keys(CATALOG_ENTRIES) as Kind[];

/** Every detector, in catalog order. */
export const DETECTORS: readonly AnyDetector[] = FINDING_KINDS.map((kind) => CATALOG_ENTRIES[kind].detector);
