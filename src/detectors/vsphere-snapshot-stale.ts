// vsphere_snapshot_stale: a snapshot older than --detect.snapshot-max-age (VMware KB 1025279: keep
// none longer than 72 hours). Its delta disk grows with every write and slows the VM. `since` is
// when it crossed the limit. Reclaimable: the files only this snapshot holds, per the VM's layoutEx
// from the last file scan (0 until one ran).
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { vsphereVms } from './lib/vsphere.js';

export interface VsphereSnapshotStaleEvidence {
  vcenter: string;
  vmMoid: string;
  snapshotMoid: string;
  createTime: string;
  ageSeconds: number;
  depth: number;
  files: string[];
}

export const vsphereSnapshotStale: Detector<
  'vsphere_snapshot_stale',
  VsphereSnapshotStaleEvidence,
  'vcenter' | 'vm' | 'snapshot',
  'detect.snapshot-max-age'
> = {
  kind: 'vsphere_snapshot_stale',
  labels: ['vcenter', 'vm', 'snapshot'],
  knobs: {
    'detect.snapshot-max-age': duration(
      '72h',
      'A vSphere snapshot older than this is vsphere_snapshot_stale (VMware KB 1025279: 72h).',
    ),
  },
  needs: ['vsphere'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vsphereSnapshotStale>> = [];
    for (const { vc, vm, subject } of vsphereVms(s)) {
      const layout = vc.files.layouts.find((l) => l.vm === vm.moid);
      const sizes = new Map((layout?.files ?? []).map((f) => [f.name, f.sizeBytes]));
      const names = new Map<string, number>();
      for (const snap of vm.snapshots) names.set(snap.name, (names.get(snap.name) ?? 0) + 1);
      for (const snap of vm.snapshots) {
        if (snap.createTime === null || now - snap.createTime <= options['detect.snapshot-max-age']) continue;
        const files = layout?.snapshotFiles[snap.moid] ?? [];
        const snapName = (names.get(snap.name) ?? 0) > 1 ? `${snap.name} (${snap.moid})` : snap.name;
        out.push({
          kind: 'vsphere_snapshot_stale',
          subject: `${subject} / ${snapName}`,
          labels: { vcenter: vc.vcenter, vm: vm.name, snapshot: snap.name },
          since: snap.createTime + options['detect.snapshot-max-age'],
          reclaimable: { diskBytes: files.reduce((n, f) => n + (sizes.get(f) ?? 0), 0) },
          evidence: {
            vcenter: vc.vcenter,
            vmMoid: vm.moid,
            snapshotMoid: snap.moid,
            createTime: new Date(snap.createTime * 1000).toISOString(),
            ageSeconds: Math.round(now - snap.createTime),
            depth: snap.depth,
            files,
          },
        });
      }
    }
    return out;
  },
};
