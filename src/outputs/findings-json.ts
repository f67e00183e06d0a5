// The findings as JSON: what /findings.json serves and `scan --output=json` prints.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';

export function findingsJson(snapshot: Snapshot, detection: DetectionResult): object {
  return {
    hostname: snapshot.hostname,
    takenAt: new Date(snapshot.takenAt * 1000).toISOString(),
    collectors: snapshot.collectors,
    skippedDetectors: detection.skipped,
    detectorErrors: detection.errors,
    findings: detection.findings.map((f) => ({
      kind: f.kind,
      title: CATALOG[f.kind].title,
      alert: CATALOG[f.kind].alert.name,
      subject: f.subject,
      labels: f.labels,
      since: new Date(f.since * 1000).toISOString(),
      ageSeconds: Math.round(snapshot.takenAt - f.since),
      pending: f.pending,
      stale: f.stale,
      reclaimable: f.reclaimable,
      evidence: f.evidence,
      related: f.related,
    })),
  };
}
