// virt_launcher_pod_orphaned: a virt-launcher pod whose VMI (by the `kubevirt.io/created-by` uid) no
// longer exists, or a VMI being deleted whose launcher pod is already gone (nothing left to run its
// finalizer). Only judged when the VMI and pod caches are complete: an unsynced cache proves nothing.
import type { Detector, FindingFrom } from './detector.js';
import { kubeSubject } from './lib/kube.js';
import { launcherOwners, uidsOf } from '../views/kube-index.js';

const VMI = 'virtualmachineinstances.kubevirt.io';

export interface LauncherOrphanEvidence {
  problem: 'pod without VMI' | 'deleted VMI without launcher pod';
  pod: string | null;
  vmi: string | null;
  vmiUid: string | null;
  vmName: string | null;
  node: string | null;
  phase: string;
  /** Unix seconds. */
  deletionTimestamp: number | null;
}

export const virtLauncherPodOrphaned: Detector<
  'virt_launcher_pod_orphaned',
  LauncherOrphanEvidence,
  'namespace' | 'name' | 'resource'
> = {
  kind: 'virt_launcher_pod_orphaned',
  labels: ['namespace', 'name', 'resource'],
  needs: ['kubevirt', `kubevirt.synced:${VMI}`, 'kubevirt.synced:pods'],
  detect(s) {
    const kube = s.kubevirt;
    if (!kube) return [];
    const vmiUids = uidsOf(kube.vmis);
    const out: Array<FindingFrom<typeof virtLauncherPodOrphaned>> = [];
    for (const p of kube.pods) {
      // A pod already being deleted is on its way out (kubevirt_stuck_deletion covers it if it stays).
      if (p.component !== 'virt-launcher' || p.createdBy === null || p.deletionTimestamp !== null) continue;
      if (vmiUids.has(p.createdBy)) continue;
      out.push({
        kind: 'virt_launcher_pod_orphaned',
        subject: kubeSubject('pods', p.namespace, p.name),
        labels: { namespace: p.namespace, name: p.name, resource: 'pods' },
        since: null,
        reclaimable: {},
        evidence: {
          problem: 'pod without VMI',
          pod: p.name,
          vmi: null,
          vmiUid: p.createdBy,
          vmName: p.vmName,
          node: p.nodeName,
          phase: p.phase,
          deletionTimestamp: null,
        },
      });
    }
    let podOwners: Set<string | null> | null = null;
    for (const v of kube.vmis) {
      if (v.deletionTimestamp === null) continue;
      podOwners ??= launcherOwners(kube.pods);
      if (podOwners.has(v.uid)) continue;
      out.push({
        kind: 'virt_launcher_pod_orphaned',
        subject: kubeSubject(VMI, v.namespace, v.name),
        labels: { namespace: v.namespace, name: v.name, resource: VMI },
        since: v.deletionTimestamp,
        reclaimable: {},
        evidence: {
          problem: 'deleted VMI without launcher pod',
          pod: null,
          vmi: v.name,
          vmiUid: v.uid,
          vmName: null,
          node: v.nodeName,
          phase: v.phase,
          deletionTimestamp: v.deletionTimestamp,
        },
      });
    }
    return out;
  },
};
