// Kinds of the vSphere family: VMs, snapshots and datastore files of each vCenter.
import type { KindEntry } from './kind-spec.js';
import { vsphereVmOrphaned } from '../detectors/vsphere-vm-orphaned.js';
import { vsphereVmInaccessible } from '../detectors/vsphere-vm-inaccessible.js';
import { vsphereVmOnUnreachableHost } from '../detectors/vsphere-vm-on-unreachable-host.js';
import { vsphereConsolidationNeeded } from '../detectors/vsphere-consolidation-needed.js';
import { vsphereSnapshotStale } from '../detectors/vsphere-snapshot-stale.js';
import { vsphereSnapshotChainDeep } from '../detectors/vsphere-snapshot-chain-deep.js';
import { vsphereUnregisteredVmFolder } from '../detectors/vsphere-unregistered-vm-folder.js';
import { vsphereOrphanDisk } from '../detectors/vsphere-orphan-disk.js';
import { vsphereAutostartVmNotRunning } from '../detectors/vsphere-autostart-vm-not-running.js';
import { vspherePhantomSnapshot } from '../detectors/vsphere-phantom-snapshot.js';
import { vsphereVmPoweredOffLong } from '../detectors/vsphere-vm-powered-off-long.js';
import { vsphereOrphanFcd } from '../detectors/vsphere-orphan-fcd.js';
import { vsphereVmFolderLeftover } from '../detectors/vsphere-vm-folder-leftover.js';

export const VSPHERE_KINDS = {
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
  vsphere_phantom_snapshot: {
    detector: vspherePhantomSnapshot,
    title: 'vSphere VM runs on a snapshot delta, or keeps deltas, that no snapshot names',
    description:
      'The VM lists no snapshot but its disk runs on a delta (uncontrolled snapshot mode), or its folder holds delta ' +
      'files that no snapshot and no disk uses: nothing will ever consolidate them, and a running delta grows until ' +
      'the datastore is full.',
    diagnose: 'govc device.info -vm {{vm}} disk-*',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVspherePhantomSnapshot',
      severity: 'warning',
      for: '1h',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} has snapshot deltas no snapshot names',
    },
  },
  vsphere_vm_powered_off_long: {
    detector: vsphereVmPoweredOffLong,
    title: 'vSphere VM powered off longer than the maximum age, still holding its disks',
    description:
      'The VM has been powered off longer than the maximum age (by its power-off event in vCenter, else its files) ' +
      'and still holds its disks on the datastore. Templates, SRM placeholders, vCLS and other known owners are ' +
      'not reported.',
    diagnose: 'govc events -n 5 -type VmPoweredOffEvent vm/{{vm}}',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereVmPoweredOffLong',
      severity: 'info',
      for: '1h',
      summary: 'VM {{ $labels.vm }} on {{ $labels.vcenter }} has been powered off for a long time',
    },
  },
  vsphere_orphan_fcd: {
    detector: vsphereOrphanFcd,
    title: 'vSphere First-Class Disk attached to no VM and named by no PersistentVolume',
    description:
      'A First-Class Disk (a CNS volume of the vSphere CSI driver) is attached to no VM, is older than the orphan ' +
      'age, and no watched Kubernetes cluster has a PersistentVolume with its id as volume handle: a deleted volume ' +
      'whose disk was left behind.',
    diagnose: 'govc disk.ls -ds {{datastore}} -l {{fcd_id}}',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereOrphanFcd',
      severity: 'info',
      for: '1h',
      summary: 'First-Class Disk {{ $labels.fcd_id }} on {{ $labels.datastore }} is attached to nothing',
      unless: { metric: 'vmzombie_kube_pv_csi_volume_handle_info', label: 'fcd_id', from: 'volume_handle' },
    },
  },
  vsphere_vm_folder_leftover: {
    detector: vsphereVmFolderLeftover,
    title: 'datastore folder left by a destroy: no VM, no .vmx, only locks, logs, ISOs or empty descriptors',
    description:
      'A datastore folder that no registered VM uses holds no .vmx, only what a destroy leaves (lock files, logs, ' +
      'ISOs, swap, descriptors without an extent), older than the orphan age: a delete that did not finish.',
    diagnose: 'govc datastore.ls -ds {{datastore}} -l {{subject}}',
    scope: 'vsphere',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieVsphereVmFolderLeftover',
      severity: 'info',
      for: '1h',
      summary: 'folder {{ $labels.subject }} is what a VM destroy left behind',
    },
  },
} as const satisfies Record<string, KindEntry>;
