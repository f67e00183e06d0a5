// vmzombie_kubevirt_orphan_volume_bytes{namespace,name,storage_class}: the reclaimable bytes of each reported
// kubevirt_orphan_volume (oldest first, capped per kind), so the KubeVirt dashboard can sum them by namespace;
// the per-kind vmzombie_reclaimable_disk_bytes has no namespace. And the two halves of a Longhorn orphan's size:
// vmzombie_longhorn_orphan_info{name,node,disk,type,data_name} (cluster agent) and
// vmzombie_longhorn_replica_dir_bytes{data_root,data_name} (node agent), joined on data_name in PromQL.
import { Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';
import type { ReportedFinding } from '../../detectors/finding.js';

type OrphanVolume = Extract<ReportedFinding, { kind: 'kubevirt_orphan_volume' }>;
type Orphan = Extract<ReportedFinding, { kind: 'longhorn_orphan' }>;

export const kubevirtVolumeMetrics: SectionMetricsFactory = (registry, config) => {
  const bytes = new Gauge<'namespace' | 'name' | 'storage_class'>({
    name: 'vmzombie_kubevirt_orphan_volume_bytes',
    help: 'Reclaimable bytes of each VM volume (PVC) nothing references: the bound PV capacity, else the request.',
    labelNames: ['namespace', 'name', 'storage_class'],
    registers: [registry],
  });
  const orphanInfo = new Gauge<'name' | 'node' | 'disk' | 'type' | 'data_name'>({
    name: 'vmzombie_longhorn_orphan_info',
    help: 'One series per reported longhorn_orphan, value 1; data_name joins vmzombie_longhorn_replica_dir_bytes.',
    labelNames: ['name', 'node', 'disk', 'type', 'data_name'],
    registers: [registry],
  });
  const replicaBytes = new Gauge<'data_root' | 'data_name'>({
    name: 'vmzombie_longhorn_replica_dir_bytes',
    help: 'Disk space the files of each Longhorn replica directory under --longhorn.data-root take (node agent).',
    labelNames: ['data_root', 'data_name'],
    registers: [registry],
  });
  const max = config['findings.max-per-kind'];
  return {
    update(snapshot, detection) {
      bytes.reset();
      orphanInfo.reset();
      replicaBytes.reset();
      const lh = snapshot.longhorn;
      for (const r of lh?.replicas ?? [])
        replicaBytes.set({ data_root: lh?.dataRoot ?? '', data_name: r.name }, r.allocatedBytes);
      const orphans = (detection?.findings ?? [])
        .filter((f): f is Orphan => f.kind === 'longhorn_orphan' && !f.pending)
        .sort((a, b) => a.since - b.since)
        .slice(0, max);
      for (const f of orphans)
        orphanInfo.set(
          {
            name: f.labels.name,
            node: f.labels.node,
            disk: f.labels.disk,
            type: f.labels.type,
            data_name: f.evidence.dataName ?? '',
          },
          1,
        );
      const found = (detection?.findings ?? [])
        .filter((f): f is OrphanVolume => f.kind === 'kubevirt_orphan_volume' && !f.pending)
        .sort((a, b) => a.since - b.since)
        .slice(0, max);
      for (const f of found) {
        if (f.reclaimable.diskBytes === undefined) continue;
        bytes.set(
          { namespace: f.labels.namespace, name: f.labels.name, storage_class: f.evidence.storageClass ?? '' },
          f.reclaimable.diskBytes,
        );
      }
    },
  };
};
