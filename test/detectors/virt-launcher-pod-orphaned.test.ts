import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { skipReason } from '../support/judge.js';
import { virtLauncherPodOrphaned } from '../../src/detectors/virt-launcher-pod-orphaned.js';
import { ALL_SYNCED, ctx, kubeSnapshot, NOW, pod, vmi } from '../support/kube-snapshot.js';

describe('virt_launcher_pod_orphaned', () => {
  const live = vmi('web', { uid: 'vmi-web' });
  const livePod = pod('virt-launcher-web-abcde', { createdBy: 'vmi-web', vmName: 'web' });

  it('reports a launcher pod whose VMI is gone and a deleted VMI whose pod is gone', () => {
    const s = kubeSnapshot({
      vmis: [live, vmi('db', { uid: 'vmi-db', deletionTimestamp: NOW - 200 })],
      pods: [livePod, pod('virt-launcher-old-x1x2x', { createdBy: 'vmi-gone', vmName: 'old', phase: 'Running' })],
    });
    assert.deepEqual(virtLauncherPodOrphaned.detect(s, ctx()), [
      {
        kind: 'virt_launcher_pod_orphaned',
        subject: 'pods default/virt-launcher-old-x1x2x',
        labels: { namespace: 'default', name: 'virt-launcher-old-x1x2x', resource: 'pods' },
        since: null,
        reclaimable: {},
        evidence: {
          problem: 'pod without VMI',
          pod: 'virt-launcher-old-x1x2x',
          vmi: null,
          vmiUid: 'vmi-gone',
          vmName: 'old',
          node: 'node-1',
          phase: 'Running',
          deletionTimestamp: null,
        },
      },
      {
        kind: 'virt_launcher_pod_orphaned',
        subject: 'virtualmachineinstances.kubevirt.io default/db',
        labels: { namespace: 'default', name: 'db', resource: 'virtualmachineinstances.kubevirt.io' },
        since: NOW - 200,
        reclaimable: {},
        evidence: {
          problem: 'deleted VMI without launcher pod',
          pod: null,
          vmi: 'db',
          vmiUid: 'vmi-db',
          vmName: null,
          node: 'node-1',
          phase: 'Running',
          deletionTimestamp: NOW - 200,
        },
      },
    ]);
  });

  it('silent: a launcher pod with its VMI, a deleting VMI whose pod still runs, a pod being deleted', () => {
    const s = kubeSnapshot({
      vmis: [live, vmi('stopping', { uid: 'vmi-stopping', deletionTimestamp: NOW - 20 })],
      pods: [
        livePod,
        pod('virt-launcher-stopping-q', { createdBy: 'vmi-stopping' }),
        pod('virt-launcher-gone-z', { createdBy: 'vmi-x', deletionTimestamp: NOW - 3 }),
        pod('virt-handler-abc', { component: 'virt-handler' }),
      ],
    });
    assert.deepEqual(virtLauncherPodOrphaned.detect(s, ctx()), []);
  });

  it('is skipped with the reason while the VMI or pod cache is not complete (an absence proves nothing)', () => {
    const orphan = [pod('virt-launcher-old-x1x2x', { createdBy: 'vmi-gone' })];
    const unserved = kubeSnapshot({
      resources: ALL_SYNCED.map((r) =>
        r.resource === 'virtualmachineinstances.kubevirt.io' ? { ...r, available: false, synced: false } : r,
      ),
      pods: orphan,
    });
    assert.equal(
      skipReason(virtLauncherPodOrphaned, unserved),
      'virtualmachineinstances.kubevirt.io is not served by the API server',
    );
    const podsListing = kubeSnapshot({
      resources: ALL_SYNCED.map((r) => (r.resource === 'pods' ? { ...r, synced: false } : r)),
      pods: orphan,
    });
    assert.equal(skipReason(virtLauncherPodOrphaned, podsListing), 'the pods cache has not finished its first list');
    const synced = kubeSnapshot({ resources: ALL_SYNCED, pods: orphan });
    assert.equal(skipReason(virtLauncherPodOrphaned, synced), null);
    assert.equal(virtLauncherPodOrphaned.detect(synced, ctx()).length, 1);
  });
});
