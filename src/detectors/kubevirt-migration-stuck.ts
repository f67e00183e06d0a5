// kubevirt_migration_stuck: a VirtualMachineInstanceMigration that has not reached Succeeded or Failed
// --detect.migration-grace after it was created, with the target launcher pods it has made (pods labelled
// kubevirt.io/migrationJobUID=<its uid>): one pod recreated again and again shows as a count above one only
// while the old ones last, so the names are in the evidence too.
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';
import { inFlightMigrations } from './lib/kube-migrations.js';
import type { KubePod } from '../snapshot/kube.js';

export interface MigrationStuckEvidence {
  migration: string;
  uid: string;
  vmi: string;
  phase: string;
  /** Unix seconds. */
  createdAt: number | null;
  targetPods: number;
  targetPodNames: string[];
  targetPodPhases: string[];
}

export const kubevirtMigrationStuck: Detector<
  'kubevirt_migration_stuck',
  MigrationStuckEvidence,
  'namespace' | 'name' | 'vmi',
  'detect.migration-grace'
> = {
  kind: 'kubevirt_migration_stuck',
  labels: ['namespace', 'name', 'vmi'],
  knobs: {
    'detect.migration-grace': duration(
      '1h',
      'How long a VirtualMachineInstanceMigration may stay outside Succeeded/Failed before kubevirt_migration_stuck.',
    ),
  },
  grace: 'detect.migration-grace',
  needs: ['kubevirt', 'kubevirt.synced:virtualmachineinstancemigrations.kubevirt.io', 'kubevirt.synced:pods'],
  detect(s) {
    const kube = s.kubevirt;
    if (!kube) return [];
    const stuck = inFlightMigrations(kube).filter((m) => m.deletionTimestamp === null);
    // Target pods by the migration job they carry, looked up once whatever the number of migrations.
    const byJob = new Map<string, KubePod[]>();
    if (stuck.length > 0)
      for (const p of kube.pods)
        if (p.migrationJobUid) byJob.set(p.migrationJobUid, [...(byJob.get(p.migrationJobUid) ?? []), p]);
    return stuck.map((m) => {
      const targets = m.uid === '' ? [] : (byJob.get(m.uid) ?? []);
      return {
        kind: 'kubevirt_migration_stuck',
        subject: kubeSubject('virtualmachineinstancemigrations.kubevirt.io', m.namespace, m.name),
        labels: { namespace: m.namespace, name: m.name, vmi: m.vmiName },
        since: m.createdAt,
        reclaimable: {},
        evidence: {
          migration: m.name,
          uid: m.uid,
          vmi: m.vmiName,
          phase: m.phase,
          createdAt: m.createdAt,
          targetPods: targets.length,
          targetPodNames: targets.map((p) => p.name),
          targetPodPhases: targets.map((p) => p.phase),
        },
      };
    });
  },
};
