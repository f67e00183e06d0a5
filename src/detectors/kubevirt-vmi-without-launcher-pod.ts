// kubevirt_vmi_without_launcher_pod: a live VMI (Pending, Scheduling or Scheduled, not being deleted) for
// which no virt-launcher pod exists (label kubevirt.io/created-by=<VMI uid>) --detect.vmi-launcher-grace after
// it was created: its VM shows Starting forever. KubeVirt creates no pod while a DataVolume of the VMI is still
// importing or cloning, so such a VMI stays silent.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { kubeSubject } from './lib/kube.js';
import { launcherOwners, listOf, nsName, perList } from '../views/kube-index.js';
import type { KubeClaimUser } from '../snapshot/kube.js';

const VMI = 'virtualmachineinstances.kubevirt.io';
const LIVE = new Set(['Pending', 'Scheduling', 'Scheduled']);

export interface VmiWithoutLauncherEvidence {
  vmi: string;
  uid: string;
  phase: string;
  /** Unix seconds. */
  createdAt: number | null;
  claims: string[];
}

/** DataVolumes still importing, by `namespace/name`. */
const importingDataVolumes = perList(
  (users: readonly KubeClaimUser[]) =>
    new Set(users.filter((u) => u.resource === 'datavolumes.cdi.kubevirt.io' && u.active).map(nsName)),
);

export const kubevirtVmiWithoutLauncherPod: Detector<
  'kubevirt_vmi_without_launcher_pod',
  VmiWithoutLauncherEvidence,
  'namespace' | 'name' | 'phase',
  'detect.vmi-launcher-grace'
> = {
  kind: 'kubevirt_vmi_without_launcher_pod',
  labels: ['namespace', 'name', 'phase'],
  knobs: {
    'detect.vmi-launcher-grace': duration(
      '10m',
      'How long a Pending/Scheduling/Scheduled VMI may have no virt-launcher pod before ' +
        'kubevirt_vmi_without_launcher_pod.',
    ),
  },
  grace: 'detect.vmi-launcher-grace',
  needs: ['kubevirt', `kubevirt.synced:${VMI}`, 'kubevirt.synced:pods'],
  detect(s) {
    const kube = s.kubevirt;
    if (!kube) return [];
    const out: Array<FindingFrom<typeof kubevirtVmiWithoutLauncherPod>> = [];
    for (const v of kube.vmis) {
      if (!LIVE.has(v.phase) || v.deletionTimestamp !== null || launcherOwners(kube.pods).has(v.uid)) continue;
      const claims = v.claims ?? [];
      const importing = importingDataVolumes(listOf(kube, 'claimUsers'));
      if (claims.some((c) => importing.has(`${v.namespace}/${c}`))) continue;
      out.push({
        kind: 'kubevirt_vmi_without_launcher_pod',
        subject: kubeSubject(VMI, v.namespace, v.name),
        labels: { namespace: v.namespace, name: v.name, phase: v.phase },
        since: v.createdAt ?? null,
        reclaimable: {},
        evidence: { vmi: v.name, uid: v.uid, phase: v.phase, createdAt: v.createdAt ?? null, claims },
      });
    }
    return out;
  },
};
