// The `scan` report for a terminal: collectors and detectors that could not judge, then each finding
// with severity, age, what it holds, readable evidence, the first command and the runbook path.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import type { Severity } from '../catalog/kind-spec.js';
import { findingView, sortViews } from './finding-view.js';
import type { EvidenceEntry, EvidenceValue } from './evidence-view.js';
import { humanDate } from './human.js';
import { detectorsNotJudging } from './status-html.js';
import { sharedImagesText } from './shared-images-report.js';

/**
 * Process names, command lines and guest names come from anyone who can start a process: show
 * control characters (newlines, terminal escape sequences) as escapes, never raw, on a terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export interface ReportStyle {
  /** ANSI colours for severities and marks (only on a terminal, never with NO_COLOR). */
  colour: boolean;
}

const SGR: Record<Severity | 'dim' | 'bold', string> = {
  critical: '31;1',
  warning: '33;1',
  info: '36',
  dim: '2',
  bold: '1',
};

function valueLines(v: EvidenceValue, indent: string): string[] {
  switch (v.type) {
    case 'text':
      return [v.text];
    case 'list':
      if (v.items.every((i) => i.type === 'text')) {
        return v.items.flatMap((i) => valueLines(i, indent)).map((l, n) => (n === 0 ? l : `${indent}${l}`));
      }
      return v.items.flatMap((i, n) => {
        const lines = valueLines(i, `${indent}  `);
        return [`${n === 0 ? '' : indent}- ${lines[0] ?? ''}`, ...lines.slice(1)];
      });
    case 'group':
      return entryLines(v.entries, indent).map((l, n) => (n === 0 ? l.trimStart() : l));
  }
}

function entryLines(entries: EvidenceEntry[], indent: string): string[] {
  return entries.flatMap((e) => {
    const [first = '', ...rest] = valueLines(e.value, `${indent}  `);
    return [`${indent}${e.label}: ${first}`, ...rest];
  });
}

export function textReport(
  snapshot: Snapshot,
  detection: DetectionResult,
  style: ReportStyle = { colour: false },
): string {
  // Escape first, colour after, so the only escape sequences on the terminal are our own.
  const paint = (code: keyof typeof SGR, text: string) =>
    style.colour ? `\u001b[${SGR[code]}m${text}\u001b[0m` : text;
  const out: string[] = [];
  out.push(`vmzombie scan of ${printable(snapshot.hostname)} at ${humanDate(snapshot.takenAt)}`);
  for (const [name, s] of Object.entries(snapshot.collectors)) {
    const reason = s.reason ? ` — ${s.reason}` : '';
    out.push(printable(`  collector ${name}: ${s.state}${s.stale ? ' (stale)' : ''}${reason}`));
  }
  for (const [kind, why] of detectorsNotJudging(detection)) out.push(printable(`  detector ${kind} ${why}`));
  // A keep marker with a mistake hides nothing; say so where the findings it meant to mark are read.
  for (const p of detection.keep?.problems ?? []) out.push(printable(`  keep marker ignored: ${p}`));
  const views = sortViews(
    detection.findings.map((f) => findingView(f, snapshot.takenAt)),
    'severity',
  );
  out.push('', views.length === 0 ? 'No findings.' : `${views.length} finding(s):`);
  for (const v of views) {
    const marks = v.marks.length ? `  [${v.marks.join('; ')}]` : '';
    out.push('', `${paint(v.severity, v.severity.toUpperCase())}  ${printable(v.title)}  (${v.kind})`);
    out.push(`  ${paint('bold', printable(v.subject))}`);
    out.push(`  ${v.age}${v.holds ? `; holds ${v.holds}` : ''}${marks ? paint('dim', marks) : ''}`);
    for (const r of v.finding.related) out.push(printable(`    related: ${r.kind} ${r.subject}`));
    out.push(...entryLines(v.evidence, '    ').map(printable));
    out.push(`  first, run: ${printable(v.command)}`);
    out.push(`  runbook: ${v.runbook}`);
  }
  out.push(...sharedImagesText(detection.sharedImages).map(printable));
  return out.join('\n') + '\n';
}
