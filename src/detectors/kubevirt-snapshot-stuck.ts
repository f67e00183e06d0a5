// kubevirt_snapshot_stuck: a VirtualMachineSnapshot whose status.phase is Failed (it stays until someone
// deletes it, with its VolumeSnapshots), or that is still in progress past its spec.failureDeadline
// (KubeVirt's default 5m; 0 means none) counted from its creation.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { kubeSubject } from './lib/kube.js';

const SNAPSHOTS = 'virtualmachinesnapshots.snapshot.kubevirt.io';

export interface SnapshotStuckEvidence {
  snapshot: string;
  source: string | null;
  phase: string | null;
  failureDeadlineSeconds: number;
  /** Unix seconds. */
  createdAt: number | null;
  error: string | null;
}

export const kubevirtSnapshotStuck: Detector<
  'kubevirt_snapshot_stuck',
  SnapshotStuckEvidence,
  'namespace' | 'name' | 'phase',
  'detect.snapshot-grace'
> = {
  kind: 'kubevirt_snapshot_stuck',
  labels: ['namespace', 'name', 'phase'],
  knobs: {
    'detect.snapshot-grace': duration(
      '5m',
      'How long a VirtualMachineSnapshot may stay Failed, or in progress past its failureDeadline, before ' +
        'kubevirt_snapshot_stuck.',
    ),
  },
  grace: 'detect.snapshot-grace',
  needs: ['kubevirt', `kubevirt.synced:${SNAPSHOTS}`],
  detect(s, ctx) {
    const out: Array<FindingFrom<typeof kubevirtSnapshotStuck>> = [];
    for (const snap of s.kubevirt?.vmSnapshots ?? []) {
      if (snap.deletionTimestamp !== null || snap.phase === 'Succeeded') continue;
      let since: number | null;
      if (snap.phase === 'Failed') since = snap.createdAt;
      else {
        if (snap.failureDeadlineSeconds <= 0 || snap.createdAt === null) continue;
        since = snap.createdAt + snap.failureDeadlineSeconds;
        if (ctx.now < since) continue;
      }
      const phase = snap.phase ?? 'InProgress';
      out.push({
        kind: 'kubevirt_snapshot_stuck',
        subject: kubeSubject(SNAPSHOTS, snap.namespace, snap.name),
        labels: { namespace: snap.namespace, name: snap.name, phase },
        since,
        reclaimable: {},
        evidence: {
          snapshot: snap.name,
          source: snap.source,
          phase: snap.phase,
          failureDeadlineSeconds: snap.failureDeadlineSeconds,
          createdAt: snap.createdAt,
          error: snap.error,
        },
      });
    }
    return out;
  },
};
