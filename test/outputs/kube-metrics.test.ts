// The cluster-agent series built from snapshots: virt-handler memory from the node agent's cgroup
// section, per-finalizer series of stuck deletions, and no series left over from an older snapshot.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { FindingsState } from '../../src/engine/findings-state.js';
import { defaultConfig } from '../../src/flags.js';
import { parsePromText, series } from '../support/prom-text.js';
import { kubeSnapshot, NOW } from '../support/kube-snapshot.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';

const Mi = 2 ** 20;

async function render(snapshots: Snapshot[], cluster = '') {
  const config = { ...defaultConfig(), cluster };
  const metrics = new ExporterMetrics(config, ['kubevirt', 'virthandler'], { processMetrics: false });
  const state = new FindingsState(config);
  for (const s of snapshots) metrics.update(s, state.evaluate(s));
  return parsePromText(await metrics.metrics());
}

describe('kube metrics', () => {
  it('exposes the node agent cgroup reading with the same families', async () => {
    const s: Snapshot = {
      schemaVersion: 1,
      hostname: 'node-2',
      takenAt: NOW,
      collectors: {
        virthandler: { state: 'ok', reason: null, durationSeconds: 0.01, lastSuccessSeconds: NOW, stale: false },
      },
      virthandler: {
        handlers: [
          {
            pid: 4242,
            pod: 'virt-handler-9xq2w',
            namespace: null,
            node: 'node-2',
            podUid: 'u',
            cgroupPath: '/k',
            cgroupVersion: 2,
            memoryCurrentBytes: 1550 * Mi,
            memoryMaxBytes: 1600 * Mi,
            workingSetBytes: 1500 * Mi,
            oomKills: 0,
          },
        ],
        problems: [],
      },
    };
    const m = await render([s]);
    assert.deepEqual(
      series(m, 'vmzombie_virt_handler_memory_working_set_bytes').map((x) => [x.labels, x.value]),
      [[{ namespace: '', node: 'node-2', pod: 'virt-handler-9xq2w' }, 1500 * Mi]],
    );
    assert.deepEqual(
      series(m, 'vmzombie_virt_handler_memory_limit_bytes').map((x) => x.value),
      [1600 * Mi],
    );
  });

  it('drops series of objects that are gone in the next snapshot, and labels everything with --cluster', async () => {
    const finalizer = 'kubevirt.io/virtualMachineControllerFinalize';
    const stuck = kubeSnapshot({
      deleting: [
        {
          resource: 'virtualmachineinstances.kubevirt.io',
          namespace: 'ns',
          name: 'a',
          uid: 'u',
          deletionTimestamp: NOW - 600,
          finalizers: [finalizer, 'kubevirt.io/foregroundDeleteVirtualMachine'],
        },
      ],
    });
    const m1 = await render([stuck], 'west');
    assert.deepEqual(
      series(m1, 'vmzombie_kubevirt_deletion_stuck_seconds').map((x) => [x.labels.finalizer, x.value]),
      [
        [finalizer, 600],
        ['kubevirt.io/foregroundDeleteVirtualMachine', 600],
      ],
    );
    assert.ok(m1.every((x) => x.labels.cluster === 'west'));
    const m2 = await render([stuck, kubeSnapshot({}, NOW + 30)], 'west');
    assert.deepEqual(series(m2, 'vmzombie_kubevirt_deletion_stuck_seconds'), []);
  });
});
