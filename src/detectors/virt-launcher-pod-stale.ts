// virt_launcher_pod_stale: a Running virt-launcher pod of a VMI that still exists, but is not among the VMI's
// status.activePods, not the source or target of its unfinished migration, and not a target pod of a
// migration in flight (label kubevirt.io/migrationJobUID): a second launcher left on the old node after a
// migration, holding its CPU and memory requests. A VMI that lists no active pod yet (still scheduling) is
// not judged.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { kubeSubject } from './lib/kube.js';
import { inFlightMigrations, migrationsUnprovable } from './lib/kube-migrations.js';
import { perList } from '../views/kube-index.js';
import type { KubeVmi } from '../snapshot/kube.js';

const VMI = 'virtualmachineinstances.kubevirt.io';

export interface LauncherStaleEvidence {
  pod: string;
  podUid: string;
  node: string | null;
  vmi: string;
  vmiUid: string;
  vmiNode: string | null;
  /** The pod uids the VMI lists in status.activePods. */
  activePods: string[];
  migrationJobUid: string | null;
  cpuRequestCores: number | null;
  memoryRequestsBytes: number | null;
}

const vmisByUid = perList((vmis: readonly KubeVmi[]) => new Map(vmis.map((v) => [v.uid, v])));

export const virtLauncherPodStale: Detector<
  'virt_launcher_pod_stale',
  LauncherStaleEvidence,
  'namespace' | 'name' | 'vmi',
  'detect.launcher-stale-grace'
> = {
  kind: 'virt_launcher_pod_stale',
  labels: ['namespace', 'name', 'vmi'],
  knobs: {
    'detect.launcher-stale-grace': duration(
      '10m',
      "How long a Running virt-launcher pod may stay outside its VMI's active pods before virt_launcher_pod_stale.",
    ),
  },
  grace: 'detect.launcher-stale-grace',
  needs: ['kubevirt', `kubevirt.synced:${VMI}`, 'kubevirt.synced:pods'],
  detect(s) {
    const kube = s.kubevirt;
    if (!kube) return [];
    const reason = migrationsUnprovable(kube);
    if (reason) throw new Error(`cannot prove no migration uses a launcher pod: ${reason}`);
    const vmis = vmisByUid(kube.vmis);
    const migrating = new Set(inFlightMigrations(kube).map((m) => m.uid));
    const out: Array<FindingFrom<typeof virtLauncherPodStale>> = [];
    for (const p of kube.pods) {
      if (p.component !== 'virt-launcher' || p.phase !== 'Running' || p.deletionTimestamp !== null) continue;
      const vmi = p.createdBy === null ? undefined : vmis.get(p.createdBy);
      // No VMI: virt_launcher_pod_orphaned's. No active pods listed (old snapshot, still scheduling): unjudged.
      if (!vmi?.activePods || vmi.activePods.length === 0 || vmi.activePods.includes(p.uid)) continue;
      const m = vmi.migration;
      if (m && !m.completed && !m.failed && (m.sourcePod === p.name || m.targetPod === p.name)) continue;
      if (p.migrationJobUid && migrating.has(p.migrationJobUid)) continue;
      out.push({
        kind: 'virt_launcher_pod_stale',
        subject: kubeSubject('pods', p.namespace, p.name),
        labels: { namespace: p.namespace, name: p.name, vmi: vmi.name },
        since: null,
        reclaimable: {
          ...(p.cpuRequestCores ? { vcpus: p.cpuRequestCores } : {}),
          ...(p.memoryRequestsBytes ? { memoryBytes: p.memoryRequestsBytes } : {}),
        },
        evidence: {
          pod: p.name,
          podUid: p.uid,
          node: p.nodeName,
          vmi: vmi.name,
          vmiUid: vmi.uid,
          vmiNode: vmi.nodeName,
          activePods: vmi.activePods,
          migrationJobUid: p.migrationJobUid ?? null,
          cpuRequestCores: p.cpuRequestCores ?? null,
          memoryRequestsBytes: p.memoryRequestsBytes ?? null,
        },
      });
    }
    return out;
  },
};
