// The landing page (links, collector and detector status) and the findings page (each finding
// with its evidence, for the person who was paged).
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';
import { formatDuration } from '../config/duration.js';
import { escapeHtml, page } from './html.js';
import { VERSION } from '../version.js';

export function landingPage(snapshot: Snapshot | null, detection: DetectionResult | null): string {
  const links = `<p><a href="/metrics">Metrics</a> · <a href="/findings">Findings</a> · <a href="/findings.json">Findings (JSON)</a> · <a href="/snapshot.json">Snapshot (JSON)</a></p>`;
  if (!snapshot) return page(`vmzombie-exporter ${VERSION}`, `${links}<p>No collection has finished yet.</p>`);
  const rows = Object.entries(snapshot.collectors).map(([name, s]) => {
    const section = (snapshot as Record<string, unknown>)[name] as { problems?: string[] } | undefined;
    const problems = s.stale ? [] : section?.problems ?? [];
    const problemText = problems.length ? `<details><summary>${problems.length} problem(s)</summary><pre>${escapeHtml(problems.slice(0, 50).join('\n'))}</pre></details>` : '';
    return `<tr><td>${escapeHtml(name)}</td><td class="${s.state === 'ok' ? 'ok' : 'down'}">${s.state}${s.stale ? ' (stale data kept)' : ''}</td>`
      + `<td>${escapeHtml(s.reason ?? '')}${problemText}</td><td>${s.durationSeconds.toFixed(3)}s</td></tr>`;
  }).join('\n');
  const skipped = detection ? Object.entries({ ...detection.skipped, ...detection.errors }) : [];
  const skippedHtml = skipped.length
    ? `<h2>Detectors not run</h2><ul>${skipped.map(([k, why]) => `<li>${escapeHtml(k)}: ${escapeHtml(String(why))}</li>`).join('')}</ul>` : '';
  const count = detection ? detection.findings.filter((f) => !f.pending).length : 0;
  const t = snapshot.libvirt?.transport;
  const transport = t ? `<p>libvirt read through ${t.name === 'rpc' ? 'its RPC protocol' : 'virsh'} (${escapeHtml(t.reason)}: ${escapeHtml(t.detail)}).</p>` : '';
  return page(`vmzombie-exporter ${VERSION}`, `${links}
<p>Host ${escapeHtml(snapshot.hostname)}, collected ${new Date(snapshot.takenAt * 1000).toISOString()}: <a href="/findings">${count} finding(s)</a>.</p>
<h2>Collectors</h2><table><tr><th>collector</th><th>state</th><th>reason</th><th>duration</th></tr>${rows}</table>${transport}${skippedHtml}`);
}

export function findingsPage(snapshot: Snapshot | null, detection: DetectionResult | null): string {
  if (!snapshot || !detection) return page('Findings', '<p>No collection has finished yet.</p>');
  const sorted = [...detection.findings].sort((a, b) => a.kind.localeCompare(b.kind) || a.since - b.since);
  const rows = sorted.map((f) => {
    const spec = CATALOG[f.kind];
    const status = f.pending ? 'pending (grace)' : f.stale ? 'stale (source down)' : 'active';
    return `<tr><td>${escapeHtml(f.kind)}<br><span class="muted">${escapeHtml(spec.title)}</span></td><td>${escapeHtml(f.subject)}</td>`
      + `<td>${formatDuration(snapshot.takenAt - f.since)}<br><span class="muted">${status}</span></td>`
      + `<td><pre>${escapeHtml(JSON.stringify(f.reclaimable))}</pre></td><td><pre>${escapeHtml(JSON.stringify(f.evidence, null, 2))}</pre></td></tr>`;
  }).join('\n');
  const body = sorted.length === 0 ? '<p>No findings.</p>'
    : `<table><tr><th>kind</th><th>subject</th><th>age</th><th>reclaimable</th><th>evidence</th></tr>${rows}</table>`;
  return page('Findings', `<p><a href="/">Home</a> · <a href="/findings.json">JSON</a></p>${body}`);
}
