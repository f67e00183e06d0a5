// One finding as every operator output shows it (findings page, `scan` text and JSON): severity,
// title, age in words and as a date, marks, what it holds, readable evidence, first command, runbook.
import type { ReportedFinding } from '../detectors/finding.js';
import type { Severity, Scope } from '../catalog/kind-spec.js';
import type { FindingKind } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';
import { diagnoseCommand } from '../catalog/diagnose.js';
import { evidenceEntries, type EvidenceEntry } from './evidence-view.js';
import { humanAge, humanDate, humanReclaimable } from './human.js';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface FindingView {
  finding: ReportedFinding;
  kind: FindingKind;
  title: string;
  description: string;
  severity: Severity;
  scope: Scope;
  alertName: string;
  subject: string;
  ageSeconds: number;
  /** "for 3 h 12 min, since 2026-12-01 16:04 UTC" or "first seen now, 2026-12-01 16:04 UTC". */
  age: string;
  /** "within grace", "stale: its source is down, last known state". */
  marks: string[];
  /** "1 vCPU, 48 MiB", or "" when it holds nothing measurable. */
  holds: string;
  evidence: EvidenceEntry[];
  /** The runbook's first command with this finding's values filled in, shell-quoted. */
  command: string;
  /** Path of the runbook page on this exporter. */
  runbook: string;
}

export function runbookPath(alertName: string): string {
  return `/runbooks/${encodeURIComponent(alertName)}`;
}

export function findingView(f: ReportedFinding, now: number): FindingView {
  const spec = CATALOG[f.kind];
  const ageSeconds = Math.max(0, Math.round(now - f.since));
  const age =
    ageSeconds > 0
      ? `for ${humanAge(ageSeconds)}, since ${humanDate(f.since)}`
      : `first seen now, ${humanDate(f.since)}`;
  const marks: string[] = [];
  if (f.pending) marks.push('within grace');
  if (f.stale) marks.push('stale: its source is down, last known state');
  const ack = f.acknowledged;
  if (ack) {
    const until = ack.until === null ? '' : `, until ${humanDate(ack.until)}`;
    marks.push(`acknowledged by ${ack.who}${until}: ${ack.reason}`);
  }
  return {
    finding: f,
    kind: f.kind,
    title: spec.title,
    description: spec.description,
    severity: spec.alert.severity,
    scope: spec.scope,
    alertName: spec.alert.name,
    subject: f.subject,
    ageSeconds,
    age,
    marks,
    holds: humanReclaimable(f.reclaimable),
    // Who owns the resource, where its layer records it, beside the detector's own evidence.
    evidence: evidenceEntries({
      ...(f.evidence as unknown as Record<string, unknown>),
      ...(f.owner && !('owner' in (f.evidence as object)) ? { owner: f.owner.detail } : {}),
    }),
    command: diagnoseCommand(spec, f),
    runbook: runbookPath(spec.alert.name),
  };
}

export type SortOrder = 'severity' | 'age';

/** Most severe first (oldest first within); or oldest first. Ties by kind and subject, so the order is stable. */
export function sortViews(views: FindingView[], order: SortOrder): FindingView[] {
  const rank = (v: FindingView) => SEVERITIES.indexOf(v.severity);
  const tie = (a: FindingView, b: FindingView) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject);
  return [...views].sort(
    order === 'age'
      ? (a, b) => b.ageSeconds - a.ageSeconds || rank(a) - rank(b) || tie(a, b)
      : (a, b) => rank(a) - rank(b) || b.ageSeconds - a.ageSeconds || tie(a, b),
  );
}
