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
} as const satisfies Record<string, KindEntry>;
