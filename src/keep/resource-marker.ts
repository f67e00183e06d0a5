// Keep markers carried by the resource itself: a Kubernetes annotation, an element in a libvirt domain's
// <metadata>, a vSphere custom attribute. Judged by the keep file's rules: a reason and who are required,
// `until` is a date (the end of that day, UTC) or an ISO date-time, and a marker with a mistake acknowledges
// nothing and is reported with why. A resource marker is about its own resource only, so it is never stale.
import type { ResourceKeep } from '../snapshot/keep.js';
import { parseUntil } from './keep-file.js';
import type { KeepMarker } from './keep-marker.js';

/** What a family finds on the resource a finding names: its marker, and where the marker was read. */
export interface ResourceKeepRef {
  keep: ResourceKeep;
  /** Where it was read: `annotation vmzombie.io/keep on pods ns/x`, `<metadata> of domain web1 (uuid)`. */
  origin: string;
}

export type ResourceMarker = { marker: KeepMarker } | { problem: string };

/** The marker, or why it cannot be one; `subject` is the finding's, for the landing page. */
export function resourceMarker(ref: ResourceKeepRef, subject: string): ResourceMarker {
  const { keep, origin } = ref;
  const why: string[] = [];
  if (keep.unknown.length > 0) why.push(`unknown ${keep.unknown.map((u) => `"${u}"`).join(', ')}`);
  if (!keep.reason?.trim()) why.push('no reason');
  if (!keep.who?.trim()) why.push('no who (by)');
  const until = keep.until === null ? null : parseUntil(keep.until.trim());
  if (keep.until !== null && until === null)
    why.push(`until "${keep.until}" is not a date (2027-03-31 or an ISO date-time)`);
  if (why.length > 0) return { problem: `${origin}: ${why.join('; ')}; it acknowledges nothing` };
  return {
    marker: { subject, kind: null, reason: (keep.reason ?? '').trim(), who: (keep.who ?? '').trim(), until, origin },
  };
}

/**
 * The single-value syntax of a vSphere custom attribute (and any one-string marker):
 * `reason; by=alice; until=2027-03-31`. The first part is the reason; the others are `key=value`.
 */
export function parseKeepValue(value: string): ResourceKeep {
  const [first = '', ...rest] = value.split(';');
  const out: ResourceKeep = { reason: first.trim() || null, who: null, until: null, unknown: [] };
  for (const part of rest) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (key === 'by' || key === 'who') out.who = v;
    else if (key === 'until') out.until = v;
    else out.unknown.push(key);
  }
  return out;
}
