// The `scan` report for a terminal: findings grouped by kind, with their evidence.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';
import { formatDuration } from '../config/duration.js';

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

export function textReport(snapshot: Snapshot, detection: DetectionResult): string {
  const out: string[] = [];
  out.push(`vmzombie scan of ${snapshot.hostname} at ${new Date(snapshot.takenAt * 1000).toISOString()}`);
  for (const [name, s] of Object.entries(snapshot.collectors)) {
    out.push(`  collector ${name}: ${s.state}${s.stale ? ' (stale)' : ''}${s.reason ? ` — ${s.reason}` : ''}`);
  }
  for (const [kind, why] of Object.entries({ ...detection.skipped, ...detection.errors })) out.push(`  detector ${kind} not run: ${why}`);
  const sorted = [...detection.findings].sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  out.push('', sorted.length === 0 ? 'No findings.' : `${sorted.length} finding(s):`);
  let lastKind = '';
  for (const f of sorted) {
    if (f.kind !== lastKind) {
      out.push('', `${f.kind} — ${CATALOG[f.kind].title} (alert ${CATALOG[f.kind].alert.name})`);
      lastKind = f.kind;
    }
    const age = snapshot.takenAt - f.since;
    const known = age > 0 ? `for ${formatDuration(age)}` : 'age unknown (first seen now)';
    out.push(`  ${f.subject}  ${known}${f.pending ? ', within grace' : ''}${f.stale ? ', stale' : ''}`);
    const reclaim = Object.entries(f.reclaimable).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(' ');
    if (reclaim) out.push(`    reclaimable: ${reclaim}`);
    for (const r of f.related) out.push(`    related: ${r.kind} ${r.subject}`);
    for (const [k, v] of Object.entries(f.evidence)) {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      out.push(`    ${k}: ${text}`);
    }
  }
  return out.map(printable).join('\n') + '\n';
}
