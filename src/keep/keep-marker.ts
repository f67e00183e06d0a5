// A keep marker: an operator's "this one is on purpose", with why, who and until when. A finding a
// marker matches is acknowledged: it pages no one, and still counts (as kept) in the capacity review.

export interface KeepMarker {
  /** Glob on the finding's subject (`*` any run of characters, `?` one character); exact otherwise. */
  subject: string;
  /** Only findings of this kind; any kind when null. */
  kind: string | null;
  reason: string;
  who: string;
  /** Unix seconds; past it the marker no longer acknowledges anything (the finding pages again). */
  until: number | null;
  /** Where it was written: `keep file line 12`, `annotation vmzombie.io/keep on pvc ns/x`. */
  origin: string;
}

/** What a marker says about the finding it acknowledges, shown on every output. */
export interface Acknowledgement {
  reason: string;
  who: string;
  until: number | null;
  origin: string;
}

export interface KeepSet {
  markers: KeepMarker[];
  /** Markers that could not be read, each with why; they acknowledge nothing. */
  problems: string[];
}

export const NO_KEEP: KeepSet = { markers: [], problems: [] };

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

const compiled = new Map<string, RegExp>();

export function markerMatches(marker: KeepMarker, kind: string, subject: string): boolean {
  if (marker.kind !== null && marker.kind !== kind) return false;
  if (!/[*?]/.test(marker.subject)) return marker.subject === subject;
  let re = compiled.get(marker.subject);
  if (!re) {
    re = globToRegExp(marker.subject);
    compiled.set(marker.subject, re);
  }
  return re.test(subject);
}
