// Turns each snapshot's raw findings into reported ones: checks each detector's declared
// preconditions (skipped with a reason when one fails, never silently healthy), remembers `since`
// per kind + subject across collections, holds a finding back until it has lasted its kind's grace,
// keeps the last findings of a detector whose inputs are down (absence of data is not absence of a
// problem), and links findings that concern one resource.
import { sharedImages } from '../views/shared-images.js';
import { knob, type Config } from '../config/flags.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { AnyDetector, Precondition } from '../detectors/detector.js';
import type { DetectionResult, Finding, FindingKind, RelatedFinding, ReportedFinding } from '../detectors/finding.js';
import { CATALOG, DETECTORS } from '../catalog/catalog.js';

/** Why a detector cannot judge this snapshot: sections down or stale, or a fact about them that fails. */
export type Verdict =
  { run: true } | { run: false; reason: string; keepLast: boolean } | { run: false; inapplicable: true };

export function checkPreconditions(needs: readonly Precondition[], snapshot: Snapshot): Verdict {
  const sections = needs.filter(
    (n): n is Exclude<Precondition, 'libvirt.local' | 'procfs.unrestricted'> => !n.includes('.'),
  );
  // None of its collectors runs here (cluster kinds on a node agent): not this exporter's business.
  if (sections.length > 0 && sections.every((n) => snapshot.collectors[n] === undefined))
    return { run: false, inapplicable: true };
  // Some but not all (procfs switched off beside libvirt), or down: it says what it lacks.
  const down = sections.filter(
    (n) => snapshot[n] === undefined || snapshot.collectors[n]?.stale || snapshot.collectors[n]?.state !== 'ok',
  );
  if (down.length > 0) return { run: false, reason: `needs ${down.join(', ')}`, keepLast: true };
  if (needs.includes('libvirt.local') && snapshot.libvirt && !snapshot.libvirt.local) {
    return {
      run: false,
      reason:
        `libvirt is remote (${snapshot.libvirt.uri}): ` +
        "this host's processes and files say nothing about its domains",
      keepLast: false,
    };
  }
  if (needs.includes('procfs.unrestricted') && snapshot.procfs?.restricted) {
    return {
      run: false,
      reason: "/proc hides other users' processes (hidepid): a missing process proves nothing",
      keepLast: false,
    };
  }
  return { run: true };
}

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
    const result: DetectionResult = { findings: [], skipped: {}, errors: {}, inapplicable: [] };
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
