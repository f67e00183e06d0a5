// Applies keep markers to one evaluation's findings: the first unexpired marker that matches a finding
// acknowledges it; expired markers that still match are reported (the finding pages again), and markers
// that match nothing are reported as stale.
import type { KeepReport, ReportedFinding } from '../detectors/finding.js';
import { markerMatches, type KeepMarker, type KeepSet } from '../keep/keep-marker.js';

export function applyKeep(findings: ReportedFinding[], keep: KeepSet, now: number): KeepReport {
  const used = new Set<KeepMarker>();
  const expired = new Set<KeepMarker>();
  for (const f of findings) {
    const matching = keep.markers.filter((m) => markerMatches(m, f.kind, f.subject));
    for (const m of matching) used.add(m);
    const live = matching.find((m) => m.until === null || m.until > now);
    if (live) f.acknowledged = { reason: live.reason, who: live.who, until: live.until, origin: live.origin };
    else for (const m of matching) expired.add(m);
  }
  return {
    markers: keep.markers.length,
    stale: keep.markers.filter((m) => !used.has(m)),
    expired: [...expired],
    problems: keep.problems,
  };
}
