// Applies keep markers to one evaluation's findings. A marker on the finding's own resource (an annotation,
// a domain's <metadata>, a custom attribute) is read first, then the keep file: the first unexpired marker
// acknowledges the finding. Expired markers that still match are reported (the finding pages again),
// keep-file markers that match nothing are reported as stale, and a malformed resource marker is reported
// with why and acknowledges nothing.
import type { KeepReport, ReportedFinding } from '../detectors/finding.js';
import { markerMatches, type KeepMarker, type KeepSet } from '../keep/keep-marker.js';
import { resourceMarker, type ResourceKeepRef } from '../keep/resource-marker.js';

/** The marker the finding's resource carries, if any (families look it up by the finding's labels). */
export type ResourceKeepOf = (f: ReportedFinding) => ResourceKeepRef | null;

export function applyKeep(
  findings: ReportedFinding[],
  keep: KeepSet,
  now: number,
  resourceKeepOf: ResourceKeepOf = () => null,
): KeepReport {
  const used = new Set<KeepMarker>();
  const expired = new Map<string, KeepMarker>();
  const problems = new Set<string>();
  let onResources = 0;
  const seenOrigins = new Set<string>();
  for (const f of findings) {
    const matching: KeepMarker[] = [];
    const ref = resourceKeepOf(f);
    if (ref) {
      const r = resourceMarker(ref, f.subject);
      if (!seenOrigins.has(ref.origin)) {
        seenOrigins.add(ref.origin);
        if ('marker' in r) onResources++;
      }
      if ('problem' in r) problems.add(r.problem);
      else matching.push(r.marker);
    }
    const fromFile = keep.markers.filter((m) => markerMatches(m, f.kind, f.subject));
    for (const m of fromFile) used.add(m);
    matching.push(...fromFile);
    const live = matching.find((m) => m.until === null || m.until > now);
    if (live) f.acknowledged = { reason: live.reason, who: live.who, until: live.until, origin: live.origin };
    else for (const m of matching) expired.set(`${m.origin}\u0000${m.subject}`, m);
  }
  return {
    markers: keep.markers.length + onResources,
    stale: keep.markers.filter((m) => !used.has(m)),
    expired: [...expired.values()],
    problems: [...keep.problems, ...problems],
  };
}
