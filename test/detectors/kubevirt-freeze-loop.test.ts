import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { kubevirtFreezeLoop } from '../../src/detectors/kubevirt-freeze-loop.js';
import { ctx, kubeSnapshot, NOW, vmi } from '../support/kube-snapshot.js';

const every = (n: number, stepSeconds: number, end = NOW) =>
  Array.from({ length: n }, (_, i) => end - (n - 1 - i) * stepSeconds);

describe('kubevirt_freeze_loop', () => {
  it('fires when transitions inside the window exceed the maximum', () => {
    // A backup retrying every 1.5 s: freeze + unfreeze per retry.
    const s = kubeSnapshot({
      vmis: [
        vmi('db', {
          fsFreezeStatus: 'frozen',
          freezeTransitionsTotal: 240,
          freezeTransitionTimes: every(40, 1.5),
          frozenUpdatesTotal: 7,
          frozenUpdateTimes: every(7, 10),
        }),
      ],
    });
    assert.deepEqual(kubevirtFreezeLoop.detect(s, ctx()), [
      {
        kind: 'kubevirt_freeze_loop',
        subject: 'virtualmachineinstances.kubevirt.io default/db',
        labels: { namespace: 'default', name: 'db' },
        since: null,
        reclaimable: {},
        evidence: {
          transitionsInWindow: 40,
          windowSeconds: 300,
          maxPerWindow: 10,
          transitionsTotal: 240,
          frozenUpdatesInWindow: 7,
          fsFreezeStatus: 'frozen',
          phase: 'Running',
          node: 'node-1',
        },
      },
    ]);
  });

  it('stays silent for a nightly backup (one freeze and one thaw) and for old transitions outside the window', () => {
    const s = kubeSnapshot({
      vmis: [
        vmi('nightly', { freezeTransitionsTotal: 2, freezeTransitionTimes: [NOW - 20, NOW - 18] }),
        vmi('exactly-max', { freezeTransitionsTotal: 10, freezeTransitionTimes: every(10, 20) }),
        vmi('past', { freezeTransitionsTotal: 50, freezeTransitionTimes: every(50, 1, NOW - 400) }),
      ],
    });
    assert.deepEqual(kubevirtFreezeLoop.detect(s, ctx()), []);
  });

  it('follows --detect.freeze-window and --detect.freeze-max-per-window', () => {
    const s = kubeSnapshot({ vmis: [vmi('db', { freezeTransitionsTotal: 6, freezeTransitionTimes: every(6, 5) })] });
    assert.equal(kubevirtFreezeLoop.detect(s, ctx(NOW, { 'detect.freeze-max-per-window': 5 })).length, 1);
    assert.equal(
      kubevirtFreezeLoop.detect(s, ctx(NOW, { 'detect.freeze-max-per-window': 5, 'detect.freeze-window': 12 })).length,
      0,
    );
  });
});
