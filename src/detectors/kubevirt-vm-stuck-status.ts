// kubevirt_vm_stuck_status: a VirtualMachine whose printableStatus stays Stopping, Terminating,
// Unknown or an error status (CrashLoopBackOff, ErrImagePull, ErrorUnschedulable, DataVolumeError …)
// longer than --detect.vm-status-grace. Running, Stopped, Starting, Migrating, Paused, Provisioning and
// the Waiting* statuses are normal and stay silent.
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

const STUCK = new Set([
  'Stopping',
  'Terminating',
  'Unknown',
  'CrashLoopBackOff',
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'DataVolumeError',
]);

export function isStuckVmStatus(status: string | null): status is string {
  return status !== null && (STUCK.has(status) || /^Err/.test(status));
}

export interface VmStuckStatusEvidence {
  printableStatus: string;
  /** When the watch saw the status begin; null when the VM already had it when first seen. */
  statusSeenSince: number | null;
  /** Unix seconds. */
  deletionTimestamp: number | null;
  finalizers: string[];
}

export const kubevirtVmStuckStatus: Detector<
  'kubevirt_vm_stuck_status',
  VmStuckStatusEvidence,
  'namespace' | 'name' | 'status',
  'detect.vm-status-grace'
> = {
  kind: 'kubevirt_vm_stuck_status',
  labels: ['namespace', 'name', 'status'],
  knobs: {
    'detect.vm-status-grace': duration(
      '5m',
      'How long a VM may stay Stopping, Terminating, Unknown or in an error status before kubevirt_vm_stuck_status.',
    ),
  },
  grace: 'detect.vm-status-grace',
  needs: ['kubevirt'],
  detect(s) {
    return (s.kubevirt?.vms ?? [])
      .filter((vm) => isStuckVmStatus(vm.printableStatus))
      .map((vm) => {
        const status = vm.printableStatus as string;
        const since = vm.statusSince ?? (status === 'Terminating' ? vm.deletionTimestamp : null);
        return {
          kind: 'kubevirt_vm_stuck_status',
          subject: kubeSubject('virtualmachines.kubevirt.io', vm.namespace, vm.name),
          labels: { namespace: vm.namespace, name: vm.name, status },
          since,
          reclaimable: {},
          evidence: {
            printableStatus: status,
            statusSeenSince: vm.statusSince,
            deletionTimestamp: vm.deletionTimestamp,
            finalizers: vm.finalizers,
          },
        };
      });
  },
};
