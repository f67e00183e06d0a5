// kubevirt_freeze_loop: a VMI whose status.fsFreezeStatus changed more than
// --detect.freeze-max-per-window times within --detect.freeze-window (seed: a backup stuck in Error
// re-froze the guest every 1–2 s until virt-handler was OOM-killed). The source records the times of
// the changes the watch saw; the rate is computed here from `now`.
import { duration, int } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

export interface FreezeLoopEvidence {
  transitionsInWindow: number;
  windowSeconds: number;
  maxPerWindow: number;
  transitionsTotal: number;
  /** Updates seen while the VMI stayed frozen (freezes the API server coalesced show up here). */
  frozenUpdatesInWindow: number;
  fsFreezeStatus: string | null;
  phase: string;
  node: string | null;
}

export const kubevirtFreezeLoop: Detector<
  'kubevirt_freeze_loop',
  FreezeLoopEvidence,
  'namespace' | 'name',
  'detect.freeze-max-per-window' | 'detect.freeze-window'
> = {
  kind: 'kubevirt_freeze_loop',
  labels: ['namespace', 'name'],
  knobs: {
    'detect.freeze-max-per-window': int(
      10,
      'kubevirt_freeze_loop is raised when a VMI changes fsFreezeStatus more often than this within ' +
        '--detect.freeze-window.',
    ),
    'detect.freeze-window': duration(
      '5m',
      'Window over which VMI freeze/unfreeze transitions are counted for kubevirt_freeze_loop.',
    ),
  },
  needs: ['kubevirt'],
  detect(s, { now, options }) {
    const from = now - options['detect.freeze-window'];
    return (s.kubevirt?.vmis ?? []).flatMap((v) => {
      const inWindow = v.freezeTransitionTimes.filter((t) => t > from && t <= now).length;
      if (inWindow <= options['detect.freeze-max-per-window']) return [];
      return [
        {
          kind: 'kubevirt_freeze_loop' as const,
          subject: kubeSubject('virtualmachineinstances.kubevirt.io', v.namespace, v.name),
          labels: { namespace: v.namespace, name: v.name },
          since: null,
          reclaimable: {},
          evidence: {
            transitionsInWindow: inWindow,
            windowSeconds: options['detect.freeze-window'],
            maxPerWindow: options['detect.freeze-max-per-window'],
            transitionsTotal: v.freezeTransitionsTotal,
            frozenUpdatesInWindow: v.frozenUpdateTimes.filter((t) => t > from && t <= now).length,
            fsFreezeStatus: v.fsFreezeStatus,
            phase: v.phase,
            node: v.nodeName,
          },
        },
      ];
    });
  },
};
