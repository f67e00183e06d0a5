// The findings as JSON: what /findings.json serves and `scan --output=json` prints. Besides the raw
// values, each finding carries the same human fields as the page (severity, age, holds, command).
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { findingView } from './finding-view.js';
import { SHARED_NOTE } from './shared-images-report.js';

export function findingsJson(snapshot: Snapshot, detection: DetectionResult): object {
  return {
    hostname: snapshot.hostname,
    takenAt: new Date(snapshot.takenAt * 1000).toISOString(),
    collectors: snapshot.collectors,
    skippedDetectors: detection.skipped,
    detectorErrors: detection.errors,
    keep: detection.keep ?? null,
    findings: detection.findings.map((f) => {
      const v = findingView(f, snapshot.takenAt);
      return {
        kind: f.kind,
        title: v.title,
        severity: v.severity,
        scope: v.scope,
        alert: v.alertName,
        subject: f.subject,
        labels: f.labels,
        since: new Date(f.since * 1000).toISOString(),
        ageSeconds: v.ageSeconds,
        age: v.age,
        pending: f.pending,
        stale: f.stale,
        reclaimable: f.reclaimable,
        holds: v.holds,
        command: v.command,
        runbook: v.runbook,
        evidence: f.evidence,
        related: f.related,
        owner: f.owner ?? null,
        acknowledged: f.acknowledged
          ? {
              ...f.acknowledged,
              until: f.acknowledged.until === null ? null : new Date(f.acknowledged.until * 1000).toISOString(),
            }
          : null,
      };
    }),
    // Not findings: images on shared storage, judged by the fleet rule (absent when none is mounted).
    ...(detection.sharedImages ? { sharedStorage: { note: SHARED_NOTE, ...detection.sharedImages } } : {}),
  };
}
