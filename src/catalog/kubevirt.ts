// Kinds of the KubeVirt family: cluster objects and the node's virt-handler.
import type { KindEntry } from './kind-spec.js';
import { kubevirtStuckDeletion } from '../detectors/kubevirt-stuck-deletion.js';
import { kubevirtVmStuckStatus } from '../detectors/kubevirt-vm-stuck-status.js';
import { virtLauncherPodOrphaned } from '../detectors/virt-launcher-pod-orphaned.js';
import { kubevirtFreezeLoop } from '../detectors/kubevirt-freeze-loop.js';
import { kubevirtBackupError } from '../detectors/kubevirt-backup-error.js';
import { virtHandlerMemoryNearLimit } from '../detectors/virt-handler-memory-near-limit.js';

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
} as const satisfies Record<string, KindEntry>;
