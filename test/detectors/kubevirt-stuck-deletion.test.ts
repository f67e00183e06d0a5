import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { kubevirtStuckDeletion } from '../../src/detectors/kubevirt-stuck-deletion.js';
import { ctx, kubeSnapshot, NOW } from '../support/kube-snapshot.js';

describe('kubevirt_stuck_deletion', () => {
  it('reports every deleting object with its finalizers; since is the deletionTimestamp', () => {
    const s = kubeSnapshot({
      deleting: [
        {
          resource: 'virtualmachines.kubevirt.io',
          namespace: 'default',
          name: 'web',
          uid: 'u1',
          deletionTimestamp: NOW - 960,
          finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'],
        },
        {
          resource: 'persistentvolumeclaims',
          namespace: 'default',
          name: 'web-disk-0',
          uid: 'u2',
          deletionTimestamp: NOW - 30,
          finalizers: [],
        },
      ],
    });
    assert.deepEqual(kubevirtStuckDeletion.detect(s, ctx()), [
      {
        kind: 'kubevirt_stuck_deletion',
        subject: 'virtualmachines.kubevirt.io default/web',
        labels: { namespace: 'default', resource: 'virtualmachines.kubevirt.io', name: 'web' },
        since: NOW - 960,
        reclaimable: {},
        evidence: {
          resource: 'virtualmachines.kubevirt.io',
          namespace: 'default',
          name: 'web',
          uid: 'u1',
          deletionTimestamp: NOW - 960,
          finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'],
        },
      },
      {
        kind: 'kubevirt_stuck_deletion',
        subject: 'persistentvolumeclaims default/web-disk-0',
        labels: { namespace: 'default', resource: 'persistentvolumeclaims', name: 'web-disk-0' },
        since: NOW - 30,
        reclaimable: {},
        evidence: {
          resource: 'persistentvolumeclaims',
          namespace: 'default',
          name: 'web-disk-0',
          uid: 'u2',
          deletionTimestamp: NOW - 30,
          finalizers: [],
        },
      },
    ]);
  });

  it('stays silent for objects with finalizers but no deletionTimestamp (the healthy look-alike)', () => {
    // The source only lists objects with a deletionTimestamp in `deleting`; a VM that merely carries
    // its finalizer is in `vms` and nowhere else.
    const s = kubeSnapshot({
      vms: [
        {
          namespace: 'default',
          name: 'web',
          uid: 'u1',
          printableStatus: 'Running',
          statusSince: null,
          deletionTimestamp: null,
          finalizers: ['kubevirt.io/virtualMachineControllerFinalize'],
        },
      ],
    });
    assert.deepEqual(kubevirtStuckDeletion.detect(s, ctx()), []);
  });
});
