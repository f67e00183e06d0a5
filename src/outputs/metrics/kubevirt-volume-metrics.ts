// vmzombie_kubevirt_orphan_volume_bytes{namespace,name,storage_class}: the reclaimable bytes of each reported
// kubevirt_orphan_volume (oldest first, capped per kind), so the KubeVirt dashboard can sum them by namespace;
// the per-kind vmzombie_reclaimable_disk_bytes has no namespace.
import { Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';
import type { ReportedFinding } from '../../detectors/finding.js';

type OrphanVolume = Extract<ReportedFinding, { kind: 'kubevirt_orphan_volume' }>;

export const kubevirtVolumeMetrics: SectionMetricsFactory = (registry, config) => {
  const bytes = new Gauge<'namespace' | 'name' | 'storage_class'>({
    name: 'vmzombie_kubevirt_orphan_volume_bytes',
    help: 'Reclaimable bytes of each VM volume (PVC) nothing references: the bound PV capacity, else the request.',
    labelNames: ['namespace', 'name', 'storage_class'],
    registers: [registry],
  });
  const max = config['findings.max-per-kind'];
  return {
    update(_snapshot, detection) {
      bytes.reset();
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
