// The `scan` report for a terminal: findings grouped by kind, with their evidence.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../engine/findings-state.js';
import { CATALOG } from '../catalog/catalog.js';
import { formatDuration } from '../config/duration.js';

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
    for (const [k, v] of Object.entries(f.evidence)) {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      out.push(`    ${k}: ${text}`);
    }
  }
  return out.join('\n') + '\n';
}
