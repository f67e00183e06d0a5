// hyperv_checkpoint_stale: a checkpoint older than --detect.hyperv-checkpoint-max-age. Every write of
// the VM goes to the differencing disk (.avhdx) started when it was taken, which grows until the
// checkpoint is deleted and merged; backup tools that fail leave their "Recovery" checkpoints
// behind. Replica checkpoints belong to Hyper-V Replica and are skipped. Reclaimable: the
// differencing disks created when it was taken (the children of the disks it holds).
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { pathKey, vmSubjects } from './lib/hyperv.js';

export interface HypervCheckpointStaleEvidence {
  vmId: string;
  checkpointId: string;
  snapshotType: string;
  creationTime: string;
  ageSeconds: number;
  differencingDisks: Array<{ path: string; fileSizeBytes: number | null }>;
}

export const hypervCheckpointStale: Detector<
  'hyperv_checkpoint_stale',
  HypervCheckpointStaleEvidence,
  'vm' | 'checkpoint',
  'detect.hyperv-checkpoint-max-age'
> = {
  kind: 'hyperv_checkpoint_stale',
  labels: ['vm', 'checkpoint'],
  knobs: {
    'detect.hyperv-checkpoint-max-age': duration(
      '72h',
      'A Hyper-V checkpoint older than this is hyperv_checkpoint_stale (Replica checkpoints excepted).',
    ),
  },
  needs: ['hyperv'],
  detect(s, { now, options }) {
    const h = s.hyperv;
    if (!h) return [];
    const maxAge = options['detect.hyperv-checkpoint-max-age'];
    const subjects = vmSubjects(h);
    const out: Array<FindingFrom<typeof hypervCheckpointStale>> = [];
    for (const cp of h.checkpoints) {
      if (cp.creationTime === null || now - cp.creationTime <= maxAge || cp.snapshotType.startsWith('Replica'))
        continue;
      const held = new Set(h.drives.filter((d) => d.checkpointId === cp.id).map((d) => pathKey(d.path)));
      const children = h.vhds.filter((v) => v.parentPath !== null && held.has(pathKey(v.parentPath)));
      const vmSubject = subjects.get(cp.vmId) ?? cp.vmName;
      out.push({
        kind: 'hyperv_checkpoint_stale',
        subject: `${vmSubject} / ${cp.name} (${cp.id})`,
        labels: { vm: cp.vmName, checkpoint: cp.name },
        since: cp.creationTime + maxAge,
        reclaimable: { diskBytes: children.reduce((n, v) => n + (v.fileSizeBytes ?? 0), 0) },
        evidence: {
          vmId: cp.vmId,
          checkpointId: cp.id,
          snapshotType: cp.snapshotType,
          creationTime: new Date(cp.creationTime * 1000).toISOString(),
          ageSeconds: Math.round(now - cp.creationTime),
          differencingDisks: children.map((v) => ({ path: v.path, fileSizeBytes: v.fileSizeBytes })),
        },
        refs: [`hyperv-vm:${cp.vmId}`],
      });
    }
    return out;
  },
};
