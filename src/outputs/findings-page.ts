// The findings page, for the person who was paged: each finding with severity, age, what it holds,
// readable evidence, the first command to run and its runbook; filters and order via the query string.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import type { FindingKind } from '../detectors/finding.js';
import type { Scope, Severity } from '../catalog/kind-spec.js';
import { CATALOG } from '../catalog/catalog.js';
import { html, page, type Html } from './html.js';
import { findingView, SEVERITIES, sortViews, type FindingView, type SortOrder } from './finding-view.js';
import type { EvidenceEntry, EvidenceValue } from './evidence-view.js';
import { humanDate } from './human.js';
import { incompleteHtml } from './status-html.js';
import { sharedImagesHtml } from './shared-images-report.js';

export interface FindingsQuery {
  severity: Severity | null;
  kind: FindingKind | null;
  scope: Scope | null;
  sort: SortOrder;
  /** Values the page could not use, said on the page rather than silently dropped. */
  ignored: string[];
}

const SCOPES = [...new Set(Object.values(CATALOG).map((s) => s.scope))].sort();
const KINDS = (Object.keys(CATALOG) as FindingKind[]).sort();

function one(q: Record<string, unknown>, name: string): string {
  const v = q[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

/** Reads ?severity=&kind=&scope=&sort= (express's parsed query); "" and "any" mean no filter. */
export function parseFindingsQuery(q: Record<string, unknown>): FindingsQuery {
  const ignored: string[] = [];
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | null => {
    const v = one(q, name);
    if (v === '' || v === 'any') return null;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    ignored.push(`${name}=${v}`);
    return null;
  };
  const severity = pick('severity', SEVERITIES);
  const kind = pick('kind', KINDS);
  const scope = pick('scope', SCOPES);
  const sort = pick('sort', ['severity', 'age'] as const) ?? 'severity';
  return { severity, kind, scope, sort, ignored };
}

function valueHtml(v: EvidenceValue): Html {
  switch (v.type) {
    case 'text':
      if (v.missing) return html`<span class="muted">${v.text}</span>`;
      return v.code ? html`<code>${v.text}</code>` : html`${v.text}`;
    case 'list':
      return html`<ul>${v.items.map((i) => html`<li>${valueHtml(i)}</li>`)}</ul>`;
    case 'group':
      return entriesHtml(v.entries);
  }
}

function entriesHtml(entries: EvidenceEntry[]): Html {
  return html`<dl>${entries.map((e) => html`<dt>${e.label}</dt><dd>${valueHtml(e.value)}</dd>`)}</dl>`;
}

function findingHtml(v: FindingView): Html {
  const { labels, reclaimable, evidence } = v.finding;
  const raw = JSON.stringify({ labels, reclaimable, evidence }, null, 2);
  const related = v.finding.related.map(
    (r, i) => html`${i ? ', ' : ''}
<a href="/findings?kind=${r.kind}">${CATALOG[r.kind].title}</a> <span class="subject-ref">${r.subject}</span>`,
  );
  return html`<article class="finding ${v.severity}" data-kind="${v.kind}" data-severity="${v.severity}">
<header><span class="badge sev-${v.severity}">${v.severity}</span><h3>${v.title}</h3>
${v.marks.map((m) => html`<span class="badge mark">${m}</span>`)}</header>
<p class="subject">${v.subject}</p>
<p>${v.age}${v.holds ? html` · holds ${v.holds}` : ''}</p>
<p class="muted">${v.description}</p>
${related.length ? html`<p>Related: ${related}</p>` : ''}
<p>First, run:</p><pre><code>${v.command}</code></pre>
<p><a class="runbook" href="${v.runbook}">Runbook ${v.alertName}</a> ·
<span class="muted">kind ${v.kind}, ${v.scope}</span></p>
<h4>Evidence</h4>${entriesHtml(v.evidence)}
<details><summary>Raw JSON</summary><pre>${raw}</pre></details>
</article>`;
}

function option(value: string, label: string, selected: string | null): Html {
  return html`<option value="${value}"${(selected ?? '') === value ? html` selected` : ''}>${label}</option>`;
}

function filtersHtml(q: FindingsQuery, present: Set<FindingKind>): Html {
  const kinds = KINDS.filter((k) => present.has(k) || k === q.kind);
  return html`<form class="filters" method="get" action="/findings">
<label>Severity<select name="severity">${option('', 'any', q.severity)}
${SEVERITIES.map((s) => option(s, s, q.severity))}</select></label>
<label>Scope<select name="scope">${option('', 'any', q.scope)}
${SCOPES.map((s) => option(s, s, q.scope))}</select></label>
<label>Kind<select name="kind">${option('', 'any', q.kind)}
${kinds.map((k) => option(k, CATALOG[k].title, q.kind))}</select></label>
<label>Order<select name="sort">${option('severity', 'most severe first', q.sort)}
${option('age', 'oldest first', q.sort)}</select></label>
<button type="submit">Apply</button> <a href="/findings">Reset</a></form>`;
}

export function findingsPage(snapshot: Snapshot | null, detection: DetectionResult | null, q: FindingsQuery): string {
  if (!snapshot || !detection) return page('Findings', html`<p>No collection has finished yet.</p>`);
  const all = detection.findings;
  // Filter on the catalog first: only the findings shown are rendered in full.
  const matching = all.filter((f) => {
    const spec = CATALOG[f.kind];
    return (
      (!q.severity || spec.alert.severity === q.severity) &&
      (!q.kind || f.kind === q.kind) &&
      (!q.scope || spec.scope === q.scope)
    );
  });
  const shown = sortViews(
    matching.map((f) => findingView(f, snapshot.takenAt)),
    q.sort,
  );
  const filtered = q.severity || q.kind || q.scope;
  const count = filtered ? `${shown.length} of ${all.length} finding(s) match` : `${all.length} finding(s)`;
  const none = html`<p>${filtered ? 'No finding matches these filters.' : 'No findings.'}</p>`;
  const body = html`<p>${snapshot.hostname}, collected ${humanDate(snapshot.takenAt)} ·
<a href="/findings.json">JSON</a></p>
${filtersHtml(q, new Set(all.map((f) => f.kind)))}
${q.ignored.length ? html`<p class="down">Ignored unknown filter values: ${q.ignored.join(', ')}</p>` : ''}
${incompleteHtml(snapshot, detection)}
<h2 id="findings">${count}</h2>
${shown.length === 0 ? none : shown.map(findingHtml)}
${sharedImagesHtml(detection.sharedImages)}`;
  return page('Findings', body);
}
