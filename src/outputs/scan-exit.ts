// The exit status of `scan`, for cron and CI (the Nagios convention): 0 nothing found, 1 only warning
// or info findings, 2 any critical finding, 3 could not judge (no collector that should run succeeded).
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';

export const EXIT = { clean: 0, warning: 1, critical: 2, unknown: 3 } as const;

export function scanExitCode(snapshot: Snapshot, detection: DetectionResult): number {
  // "absent" (no libvirtd on this host) is not a failure; a host where nothing at all could be read is.
  const states = Object.values(snapshot.collectors).map((c) => c.state);
  if (!states.includes('ok')) return EXIT.unknown;
  // Findings still within their grace, and those a keep marker acknowledges, are shown but, as in the
  // alerts, not counted.
  const counted = detection.findings.filter((f) => !f.pending && !f.acknowledged);
  if (counted.some((f) => CATALOG[f.kind].alert.severity === 'critical')) return EXIT.critical;
  return counted.length > 0 ? EXIT.warning : EXIT.clean;
}
