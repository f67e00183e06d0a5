// Kinds of the KubeVirt family: cluster objects and the node's virt-handler.
import type { KindEntry } from './kind-spec.js';
import { kubevirtStuckDeletion } from '../detectors/kubevirt-stuck-deletion.js';
import { kubevirtVmStuckStatus } from '../detectors/kubevirt-vm-stuck-status.js';
import { virtLauncherPodOrphaned } from '../detectors/virt-launcher-pod-orphaned.js';
import { kubevirtFreezeLoop } from '../detectors/kubevirt-freeze-loop.js';
import { kubevirtBackupError } from '../detectors/kubevirt-backup-error.js';
import { virtHandlerMemoryNearLimit } from '../detectors/virt-handler-memory-near-limit.js';
import { kubevirtOrphanVolume } from '../detectors/kubevirt-orphan-volume.js';
import { virtLauncherPodStale } from '../detectors/virt-launcher-pod-stale.js';
import { kubevirtMigrationStuck } from '../detectors/kubevirt-migration-stuck.js';
import { kubevirtVmiWithoutLauncherPod } from '../detectors/kubevirt-vmi-without-launcher-pod.js';
import { kubevirtSnapshotStuck } from '../detectors/kubevirt-snapshot-stuck.js';
import { longhornOrphan } from '../detectors/longhorn-orphan.js';

export const KUBEVIRT_KINDS = {
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
  kubevirt_orphan_volume: {
    detector: kubevirtOrphanVolume,
    title: 'VM volume (PVC) that nothing references: its VM is gone',
    description:
      "A VM's PersistentVolumeClaim is Bound but no VirtualMachine (running or stopped), VMI, running pod, " +
      'importing DataVolume, restore in progress or image refers to it, and has not for longer than the volume ' +
      'grace. Its owner references and Harvester owner annotation name objects that no longer exist. Reclaimable: ' +
      "the Longhorn volume's actual size where its object is readable, else the bound volume's capacity.",
    diagnose: 'kubectl get pvc -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieKubevirtOrphanVolume',
      severity: 'info',
      for: '1h',
      summary: 'volume {{ $labels.namespace }}/{{ $labels.name }} is referenced by no VM, VMI or pod',
    },
  },
  virt_launcher_pod_stale: {
    detector: virtLauncherPodStale,
    title: "Second live virt-launcher pod: not the VMI's active pod, no migration uses it",
    description:
      'A Running virt-launcher pod belongs to a VMI that exists, but the VMI does not list it among its active ' +
      'pods and no migration in flight uses it: a launcher left behind on the old node after a migration, ' +
      "holding the node's CPU and memory and blocking the next migration.",
    diagnose: 'kubectl get vmi -n {{namespace}} {{vmi}} -o yaml',
    scope: 'kubevirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieVirtLauncherPodStale',
      severity: 'warning',
      for: '10m',
      summary:
        'virt-launcher pod {{ $labels.namespace }}/{{ $labels.name }} is not an active pod of VMI {{ $labels.vmi }}',
    },
  },
  kubevirt_migration_stuck: {
    detector: kubevirtMigrationStuck,
    title: 'VirtualMachineInstanceMigration that never reaches Succeeded or Failed',
    description:
      'A VirtualMachineInstanceMigration has stayed outside Succeeded and Failed for longer than the migration ' +
      'grace. Its target pods may be recreated again and again, and the VMI cannot be migrated by anything else ' +
      '(a node drain waits on it).',
    diagnose: 'kubectl get vmim -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtMigrationStuck',
      severity: 'warning',
      for: '15m',
      summary: 'migration {{ $labels.namespace }}/{{ $labels.name }} of VMI {{ $labels.vmi }} does not finish',
    },
  },
  kubevirt_vmi_without_launcher_pod: {
    detector: kubevirtVmiWithoutLauncherPod,
    title: 'VMI Pending, Scheduling or Scheduled with no virt-launcher pod',
    description:
      'A VirtualMachineInstance that is not being deleted has stayed Pending, Scheduling or Scheduled with no ' +
      'virt-launcher pod for longer than the grace, and none of its DataVolumes is still importing: its VM shows ' +
      'Starting and never starts.',
    diagnose: 'kubectl get vmi -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtVMIWithoutLauncherPod',
      severity: 'warning',
      for: '10m',
      summary: 'VMI {{ $labels.namespace }}/{{ $labels.name }} is {{ $labels.phase }} with no virt-launcher pod',
    },
  },
  kubevirt_snapshot_stuck: {
    detector: kubevirtSnapshotStuck,
    title: 'VirtualMachineSnapshot Failed, or in progress past its failure deadline',
    description:
      'A VirtualMachineSnapshot is Failed (it stays, with its VolumeSnapshots, until someone deletes it) or still ' +
      'in progress past its spec.failureDeadline (5m by default), for longer than the snapshot grace.',
    diagnose: 'kubectl get vmsnapshot -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieKubevirtSnapshotStuck',
      severity: 'warning',
      for: '10m',
      summary: 'VM snapshot {{ $labels.namespace }}/{{ $labels.name }} is {{ $labels.phase }}',
    },
  },
  longhorn_orphan: {
    detector: longhornOrphan,
    title: 'Longhorn orphan: replica data or an instance no volume owns',
    description:
      'A Longhorn Orphan object has existed longer than the orphan grace: replica data on a node disk (or a ' +
      'runtime instance) that no Longhorn volume owns. Longhorn keeps the data until the orphan is deleted (or ' +
      'orphan auto-deletion is on); it fills the disk toward DiskPressure. The node agent measures the directory.',
    diagnose: 'kubectl get orphans.longhorn.io -n {{namespace}} {{name}} -o yaml',
    scope: 'kubevirt',
    reclaims: [],
    alert: {
      name: 'VMZombieLonghornOrphan',
      severity: 'info',
      for: '1h',
      summary: 'Longhorn orphan {{ $labels.name }} ({{ $labels.type }}) on {{ $labels.node }} disk {{ $labels.disk }}',
    },
  },
} as const satisfies Record<string, KindEntry>;
