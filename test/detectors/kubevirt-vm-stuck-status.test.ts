import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { kubevirtVmStuckStatus } from '../../src/detectors/kubevirt-vm-stuck-status.js';
import { ctx, kubeSnapshot, NOW, vm } from '../support/kube-snapshot.js';

describe('kubevirt_vm_stuck_status', () => {
  it('reports Stopping, Terminating, Unknown and error statuses with the best known start', () => {
    const s = kubeSnapshot({
      vms: [
        vm('a', 'Stopping', { statusSince: NOW - 400 }),
        vm('b', 'Terminating', {
          deletionTimestamp: NOW - 700,
          finalizers: ['kubevirt.io/virtualMachineControllerFinalize'],
        }),
        vm('c', 'ErrorUnschedulable'),
        vm('d', 'CrashLoopBackOff', { statusSince: NOW - 5 }),
      ],
    });
    const found = kubevirtVmStuckStatus.detect(s, ctx()).map((f) => [f.labels.name, f.labels.status, f.since]);
    assert.deepEqual(found, [
      ['a', 'Stopping', NOW - 400],
      ['b', 'Terminating', NOW - 700],
      ['c', 'ErrorUnschedulable', null],
      ['d', 'CrashLoopBackOff', NOW - 5],
    ]);
    const b = kubevirtVmStuckStatus.detect(s, ctx())[1];
    assert.deepEqual(b?.evidence, {
      printableStatus: 'Terminating',
      statusSeenSince: null,
      deletionTimestamp: NOW - 700,
      finalizers: ['kubevirt.io/virtualMachineControllerFinalize'],
    });
  });

  it('stays silent for normal statuses, including the transient ones', () => {
    const s = kubeSnapshot({
      vms: [
        'Running',
        'Stopped',
        'Starting',
        'Provisioning',
        'Migrating',
        'Paused',
        'WaitingForVolumeBinding',
        'WaitingForReceiver',
      ]
        .map((st, i) => vm(`v${i}`, st, { statusSince: NOW - 3600 }))
        .concat([vm('none', null)]),
    });
    assert.deepEqual(kubevirtVmStuckStatus.detect(s, ctx()), []);
  });
});
