// The landing page (what this exporter watches, the last collection, findings by severity, each
// collector's state) and the pages for errors (404, 405, 500).
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';
import { html, page, type Html } from './html.js';
import { SEVERITIES } from './finding-view.js';
import { humanAge, humanDate } from './human.js';
import { incompleteHtml } from './status-html.js';
import { VERSION } from '../version.js';
import { watchedTargets } from '../families/index.js';

/** What /snapshot.json serves: nothing (404), the redacted snapshot, or the raw one. */
export type SnapshotEndpoint = 'off' | 'redacted' | 'raw';

const SNAPSHOT_LINK: Record<SnapshotEndpoint, ReturnType<typeof html>> = {
  off: html``,
  redacted: html` · <a href="/snapshot.json">Snapshot (JSON, redacted)</a>`,
  raw: html` · <a href="/snapshot.json">Snapshot (JSON, unredacted)</a>`,
};
const SNAPSHOT_NOTE: Record<SnapshotEndpoint, ReturnType<typeof html>> = {
  off: html`<p class="muted">The snapshot is not served (<code>--web.enable-snapshot</code> serves it redacted).</p>`,
  redacted: html`<p class="muted">The snapshot is served redacted: command lines cut to what detection reads, host
and user names replaced.</p>`,
  raw: html`<p class="down">The snapshot is served unredacted (<code>--web.snapshot-unredacted</code>): every
command line, host and user name, to anyone who can reach this port.</p>`,
};

export function landingPage(
  snapshot: Snapshot | null,
  detection: DetectionResult | null,
  nowSeconds: number,
  snapshotEndpoint: SnapshotEndpoint = 'off',
  pacing: Pacing | null = null,
): string {
  const links = html`<p><a href="/findings">Findings</a> · <a href="/runbooks">Runbooks</a> ·
<a href="/metrics">Metrics</a> ·
<a href="/findings.json">Findings (JSON)</a>${SNAPSHOT_LINK[snapshotEndpoint]}</p>
${SNAPSHOT_NOTE[snapshotEndpoint]}`;
  const title = `vmzombie-exporter ${VERSION}`;
  if (!snapshot || !detection) return page(title, html`${links}<p>No collection has finished yet.</p>`);
  const active = detection.findings.filter((f) => !f.pending);
  const pending = detection.findings.length - active.length;
  const pendingNote = pending ? html` <span class="muted">(${pending} within grace)</span>` : '';
  const counts = SEVERITIES.map(
    (sev) => [sev, active.filter((f) => CATALOG[f.kind].alert.severity === sev).length] as const,
  ).map(([sev, n]) => html`<li><a class="badge sev-${sev}" href="/findings?severity=${sev}">${sev}: ${n}</a></li>`);
  const rows = Object.entries(snapshot.collectors).map(([name, s]) => {
    const section = (snapshot as Record<string, unknown>)[name] as { problems?: string[] } | undefined;
    const problems = s.stale ? [] : (section?.problems ?? []);
    const state = s.state === 'ok' ? 'ok' : s.state === 'absent' ? 'muted' : 'down';
    const details = problems.length
      ? html`<details><summary>${problems.length} problem(s)</summary>
<pre>${problems.slice(0, 50).join('\n')}</pre></details>`
      : '';
    return html`<tr><td>${name}</td><td class="${state}">${s.state}${s.stale ? ' (stale data kept)' : ''}</td>
<td>${s.durationSeconds.toFixed(3)} s</td><td>${s.reason ?? ''}${details}</td></tr>`;
  });
  const age = Math.max(0, nowSeconds - snapshot.takenAt);
  const t = snapshot.libvirt?.transport;
  const transport = t
    ? html`<p>libvirt read through ${t.name === 'rpc' ? 'its RPC protocol' : 'virsh'} (${t.reason}: ${t.detail}).</p>`
    : '';
  return page(
    title,
    html`${links}
<p>Watching ${watchedTargets(snapshot).join(', ')}.</p>
<p>Last collection ${humanDate(snapshot.takenAt)} (${humanAge(age)} ago).${pacingHtml(pacing)}</p>
<h2>Findings</h2>
<ul class="counts">${counts}
<li><a href="/findings">all ${detection.findings.length}</a>${pendingNote}</li></ul>
${incompleteHtml(snapshot, detection)}
<h2>Collectors</h2>
<table><thead><tr><th>collector</th><th>state</th><th>duration</th><th>reason</th></tr></thead>
<tbody>${rows}</tbody></table>
${transport}
${keepHtml(detection)}`,
  );
}

/** The node agent's CPU budget as the collection reports it: its share, and how much longer the last result is held. */
interface Pacing {
  percentOfOneCore: number;
  heldForSeconds: number;
  maxHoldSeconds: number;
  hearingChanges: boolean;
}

/** The node agent's CPU budget: a result older than the scrape interval is explained. */
function pacingHtml(pacing: Pacing | null): Html | string {
  if (!pacing) return '';
  const next =
    pacing.heldForSeconds > 0
      ? html`held for ${humanAge(Math.ceil(pacing.heldForSeconds))} more`
      : 'the next scrape collects';
  const ends = pacing.hearingChanges
    ? html`a guest started, stopped or migrated ends a hold; at most ${humanAge(pacing.maxHoldSeconds)}`
    : html`at most ${humanAge(pacing.maxHoldSeconds)}: libvirt's lifecycle events are not heard`;
  return html` Collections are paced to ${pacing.percentOfOneCore} % of one core
(<code>--collector.cpu-budget</code>): ${next} (${ends}).`;
}

/** Keep markers that need a person: matching nothing (stale), past their date, or unreadable. */
function keepHtml(detection: DetectionResult): Html | string {
  const keep = detection.keep;
  if (!keep || (keep.markers === 0 && keep.problems.length === 0)) return '';
  const until = (u: number | null) => (u === null ? '' : `, until ${humanDate(u)}`);
  const item = (m: {
    subject: string;
    kind: string | null;
    reason: string;
    who: string;
    until: number | null;
    origin: string;
  }) =>
    html`<li><code>${m.subject}</code>${m.kind ? ` (${m.kind})` : ''}: ${m.reason}, by ${m.who}${until(m.until)}
<span class="muted">${m.origin}</span></li>`;
  const list = (title: string, items: Html[]) => (items.length ? html`<h3>${title}</h3><ul>${items}</ul>` : '');
  return html`<h2>Keep markers</h2>
<p>${keep.markers} marker(s); ${detection.findings.filter((f) => f.acknowledged).length} finding(s) acknowledged.</p>
${list('Matching no finding (stale: remove them)', keep.stale.map(item))}
${list('Expired (their findings page again)', keep.expired.map(item))}
${list(
  'Unreadable (they acknowledge nothing)',
  keep.problems.map((p) => html`<li>${p}</li>`),
)}`;
}

export function errorPage(status: number, message: string): string {
  return page(`${status} ${message}`, html`<p><a href="/">Home</a> · <a href="/findings">Findings</a></p>`);
}
