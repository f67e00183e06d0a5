// Turns each snapshot's raw findings into reported ones: checks each detector's declared
// preconditions (skipped with a reason when one fails, never silently healthy), remembers `since`
// per kind + subject across collections, holds a finding back until it has lasted its kind's grace,
// keeps the last findings of a detector whose inputs are down (absence of data is not absence of a
// problem), and links findings that concern one resource.
import { sharedImages } from '../views/shared-images.js';
import { knob, type Config } from '../config/flags.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { AnyDetector } from '../detectors/detector.js';
import { checkPreconditions } from '../families/preconditions.js';
import type {
  DetectionResult,
  EndedFinding,
  Finding,
  FindingKind,
  RelatedFinding,
  ReportedFinding,
} from '../detectors/finding.js';
import { familyOfKind } from '../families/index.js';
import { CATALOG, DETECTORS } from '../catalog/catalog.js';

export { checkPreconditions, type Verdict } from '../families/preconditions.js';

export class FindingsState {
  private readonly since = new Map<string, number>();
  private readonly previous = new Map<FindingKind, ReportedFinding[]>();

  constructor(
    private readonly config: Config,
    private readonly detectors: readonly AnyDetector[] = DETECTORS,
  ) {}

  evaluate(snapshot: Snapshot): DetectionResult {
    const now = snapshot.takenAt;
    const ctx = { now, options: this.config as unknown as Readonly<Record<string, number>> };
    const ended: EndedFinding[] = [];
    const result: DetectionResult = { findings: [], skipped: {}, errors: {}, inapplicable: [], ended };
    for (const detector of this.detectors) {
      const kind = detector.kind as FindingKind;
      const verdict = checkPreconditions(detector.needs, snapshot);
      if ('inapplicable' in verdict) {
        result.inapplicable.push(kind);
        continue;
      }
      if (!verdict.run) {
        result.skipped[kind] = verdict.reason;
        if (verdict.keepLast)
          result.findings.push(...(this.previous.get(kind) ?? []).map((f) => ({ ...f, stale: true })));
        else this.previous.delete(kind);
        continue;
      }
      let raw: Finding[];
      try {
        raw = detector.detect(snapshot, ctx) as Finding[];
      } catch (e: unknown) {
        result.errors[kind] = e instanceof Error ? e.message : String(e);
        result.findings.push(...(this.previous.get(kind) ?? []).map((f) => ({ ...f, stale: true })));
        continue;
      }
      const grace = knob(this.config, CATALOG[kind].graceFlag as `detect.${string}`);
      const seen = new Set<string>();
      const reported: ReportedFinding[] = [];
      for (const f of raw) {
        const key = `${f.kind}\u0000${f.subject}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const first = Math.min(this.since.get(key) ?? now, f.since ?? now);
        this.since.set(key, first);
        reported.push({
          ...f,
          since: first,
          pending: now - first < grace,
          stale: false,
          related: [],
        } as ReportedFinding);
      }
      ended.push(...endedFindings(this.previous.get(kind) ?? [], seen, snapshot));
      // Forget subjects of this kind that cleared, so a recurrence starts a new `since`.
      const prefix = `${kind}\u0000`;
      for (const key of this.since.keys()) if (key.startsWith(prefix) && !seen.has(key)) this.since.delete(key);
      this.previous.set(kind, reported);
      result.findings.push(...reported);
    }
    linkRelated(result.findings);
    const shared = sharedImages(snapshot, now, this.config['detect.orphan-min-age'] ?? 3600);
    if (shared) result.sharedImages = shared;
    return result;
  }
}

/**
 * The reported findings of the last evaluation that are not found now: each with `gone` when its resource
 * left the snapshot, `healthy` when it is still there. Findings still within grace were a state passing
 * through, and stale ones were never re-judged: neither counts.
 */
function endedFindings(previous: readonly ReportedFinding[], seen: Set<string>, snapshot: Snapshot): EndedFinding[] {
  const out: EndedFinding[] = [];
  for (const f of previous) {
    if (f.pending || f.stale || seen.has(`${f.kind}\u0000${f.subject}`)) continue;
    const present = familyOfKind(f.kind)?.resourcePresent?.(f.labels as Record<string, string>, snapshot) ?? null;
    out.push({ finding: f, outcome: present === true ? 'healthy' : 'gone' });
  }
  return out;
}

/** The resources a finding concerns: what its detector named, plus what its labels identify. */
function refsOf(f: ReportedFinding): Set<string> {
  const refs = new Set(f.refs ?? []);
  const labels = f.labels as Record<string, string | undefined>;
  if (labels.image) refs.add(`file:${labels.image}`);
  if (labels.pid) refs.add(`pid:${labels.pid}`);
  // A uuid label is a domain's (or a guest's) on libvirt kinds; elsewhere it names other things (mdevs).
  if (labels.uuid && CATALOG[f.kind].scope === 'libvirt') refs.add(`domain:${labels.uuid.toLowerCase()}`);
  return refs;
}

/** Points findings that share a resource at each other (never at themselves, each other finding once). */
export function linkRelated(findings: ReportedFinding[]): void {
  const byRef = new Map<string, ReportedFinding[]>();
  const refs = new Map(findings.map((f) => [f, refsOf(f)]));
  for (const f of findings) for (const r of refs.get(f) ?? []) byRef.set(r, [...(byRef.get(r) ?? []), f]);
  for (const f of findings) {
    const related = new Map<string, RelatedFinding>();
    for (const r of refs.get(f) ?? []) {
      for (const other of byRef.get(r) ?? []) {
        if (other === f) continue;
        related.set(`${other.kind}\u0000${other.subject}`, {
          kind: other.kind,
          subject: other.subject,
          alert: CATALOG[other.kind].alert.name,
        });
      }
    }
    f.related = [...related.values()].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject),
    );
  }
}
