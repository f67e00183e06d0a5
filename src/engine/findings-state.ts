// Turns each snapshot's raw findings into reported ones: remembers `since` per kind + subject across
// collections, holds a finding back until it has lasted its kind's grace, and keeps the last
// findings of a detector whose inputs are down (absence of data is not absence of a problem).
import type { Config } from '../config/flags.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { Detector, Finding, FindingKind } from '../detectors/finding.js';
import { detectOptionsFrom } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';

export type ReportedFinding = Finding & {
  /** First seen (or the detector's own start time), Unix seconds. */
  since: number;
  /** Still inside its grace period: shown on the findings page, not counted in metrics. */
  pending: boolean;
  /** From a detector that could not run this time (a source is down): the last known finding. */
  stale: boolean;
  /** Other findings about the same resource (a process, a file, a domain), e.g. a lock and its holder's finding. */
  related: RelatedFinding[];
};

export interface RelatedFinding { kind: FindingKind; subject: string; alert: string }

export interface DetectionResult {
  findings: ReportedFinding[];
  /** Kinds whose detector did not run, with the reason. */
  skipped: Partial<Record<FindingKind, string>>;
  /** Kinds none of whose collectors this exporter runs (cluster kinds on a node agent). */
  inapplicable: FindingKind[];
  /** Detector exceptions (a bug or an input shape we did not expect), per kind. */
  errors: Partial<Record<FindingKind, string>>;
}

export class FindingsState {
  private readonly since = new Map<string, number>();
  private readonly previous = new Map<FindingKind, ReportedFinding[]>();

  constructor(private readonly detectors: readonly Detector[], private readonly config: Config) {}

  evaluate(snapshot: Snapshot): DetectionResult {
    const now = snapshot.takenAt;
    const ctx = { now, options: detectOptionsFrom(this.config) };
    const result: DetectionResult = { findings: [], skipped: {}, errors: {}, inapplicable: [] };
    for (const detector of this.detectors) {
      // None of its collectors runs here (cluster kinds on a node agent): not this exporter's business.
      // Some but not all (procfs switched off beside libvirt): it is skipped, and says what it lacks.
      if (detector.needs.every((n) => snapshot.collectors[n] === undefined)) {
        result.inapplicable.push(detector.kind);
        continue;
      }
      const down = detector.needs.filter((n) => snapshot[n] === undefined || snapshot.collectors[n]?.stale || snapshot.collectors[n]?.state !== 'ok');
      if (down.length > 0) {
        result.skipped[detector.kind] = `needs ${down.join(', ')}`;
        const kept = (this.previous.get(detector.kind) ?? []).map((f) => ({ ...f, stale: true }));
        result.findings.push(...kept);
        continue;
      }
      let raw: Finding[];
      try {
        raw = detector.detect(snapshot, ctx) as Finding[];
      } catch (e: unknown) {
        result.errors[detector.kind] = e instanceof Error ? e.message : String(e);
        result.findings.push(...(this.previous.get(detector.kind) ?? []).map((f) => ({ ...f, stale: true })));
        continue;
      }
      const grace = this.config[CATALOG[detector.kind].graceFlag] as number;
      const seen = new Set<string>();
      const reported: ReportedFinding[] = [];
      for (const f of raw) {
        const key = `${f.kind}\u0000${f.subject}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const first = Math.min(this.since.get(key) ?? now, f.since ?? now);
        this.since.set(key, first);
        reported.push({ ...f, since: first, pending: now - first < grace, stale: false, related: [] } as ReportedFinding);
      }
      // Forget subjects of this kind that cleared, so a recurrence starts a new `since`.
      const prefix = `${detector.kind}\u0000`;
      for (const key of this.since.keys()) if (key.startsWith(prefix) && !seen.has(key)) this.since.delete(key);
      this.previous.set(detector.kind, reported);
      result.findings.push(...reported);
    }
    linkRelated(result.findings);
    return result;
  }
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
        related.set(`${other.kind}\u0000${other.subject}`, { kind: other.kind, subject: other.subject, alert: CATALOG[other.kind].alert.name });
      }
    }
    f.related = [...related.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  }
}
