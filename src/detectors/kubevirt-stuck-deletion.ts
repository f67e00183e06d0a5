// kubevirt_stuck_deletion: a watched object (VM, VMI, kubevirt.io pod, PVC, VM backup, Longhorn
// backup, DataVolume) that carries a deletionTimestamp for longer than --detect.deletion-grace,
// usually held by a finalizer whose controller never ran (a Harvester VM after a node power loss).
// `since` is the deletionTimestamp, so the finalizer age survives exporter restarts.
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

export interface StuckDeletionEvidence {
  resource: string;
  namespace: string;
  name: string;
  uid: string;
  /** Unix seconds. */
  deletionTimestamp: number | null;
  /** Finalizers still on the object; empty when none is left but the object persists. */
  finalizers: string[];
}

export const kubevirtStuckDeletion: Detector<
  'kubevirt_stuck_deletion',
  StuckDeletionEvidence,
  'namespace' | 'resource' | 'name',
  'detect.deletion-grace'
> = {
  kind: 'kubevirt_stuck_deletion',
  labels: ['namespace', 'resource', 'name'],
  knobs: {
    'detect.deletion-grace': duration(
      '5m',
      'How long an object may carry a deletionTimestamp before kubevirt_stuck_deletion.',
    ),
  },
  grace: 'detect.deletion-grace',
  needs: ['kubevirt'],
  detect(s) {
    return (s.kubevirt?.deleting ?? []).map((o) => ({
      kind: 'kubevirt_stuck_deletion',
      subject: kubeSubject(o.resource, o.namespace, o.name),
      labels: { namespace: o.namespace, resource: o.resource, name: o.name },
      since: o.deletionTimestamp,
      reclaimable: {},
      evidence: {
        resource: o.resource,
        namespace: o.namespace,
        name: o.name,
        uid: o.uid,
        deletionTimestamp: o.deletionTimestamp,
        finalizers: o.finalizers,
      },
    }));
  },
};
