import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { virtHandlerMemoryNearLimit } from '../../src/detectors/virt-handler-memory-near-limit.js';
import { ctx, kubeSnapshot, pod } from '../support/kube-snapshot.js';

const Mi = 2 ** 20;
const handler = (name: string, workingSetMi: number | null, limitMi: number | null) =>
  pod(name, {
    namespace: 'harvester-system',
    component: 'virt-handler',
    nodeName: `node-${name}`,
    memoryLimitBytes: limitMi === null ? null : limitMi * Mi,
    memoryRequestBytes: 325 * Mi,
    memoryWorkingSetBytes: workingSetMi === null ? null : workingSetMi * Mi,
    restartsTotal: 3,
    oomKillsTotal: 2,
  });

describe('virt_handler_memory_near_limit', () => {
  it('fires above 90% of the limit', () => {
    const s = kubeSnapshot({ pods: [handler('a', 1500, 1600)] });
    assert.deepEqual(virtHandlerMemoryNearLimit.detect(s, ctx()), [
      {
        kind: 'virt_handler_memory_near_limit',
        subject: 'pods harvester-system/a',
        labels: { namespace: 'harvester-system', pod: 'a', node: 'node-a' },
        since: null,
        reclaimable: {},
        evidence: {
          workingSetBytes: 1500 * Mi,
          limitBytes: 1600 * Mi,
          requestBytes: 325 * Mi,
          percentOfLimit: 93.8,
          restartsTotal: 3,
          oomKillsTotal: 2,
        },
      },
    ]);
  });

  it('stays silent at 80%, without a limit, without a working set, and for launcher pods', () => {
    const s = kubeSnapshot({
      pods: [
        handler('b', 1280, 1600),
        handler('c', 5000, null),
        handler('d', null, 1600),
        pod('virt-launcher-x', { memoryLimitBytes: 100, memoryWorkingSetBytes: 99 }),
      ],
    });
    assert.deepEqual(virtHandlerMemoryNearLimit.detect(s, ctx()), []);
  });
});
