// The runbooks, rendered from the Markdown files shipped in docs/runbooks/: an index at /runbooks and
// one page per alert at /runbooks/<AlertName> (a finding kind's id leads to its alert's runbook).
// Only names on the catalog's alert list are read, so no request can reach another file.
import { readFileSync } from 'node:fs';
import { Marked } from 'marked';
import { CATALOG, FINDING_KINDS } from '../catalog/catalog.js';
import type { FindingKind } from '../detectors/finding.js';
import { ALERT_NAMES, buildAlerts } from '../bundle/alerts.js';
import { DEFAULT_CONFIG } from '../bundle/config.js';
import { escapeHtml, page } from './html.js';

const RUNBOOK_DIR = new URL('../../docs/runbooks/', import.meta.url);
const SAFE_HREF = /^(https?:\/\/|#|[\w.-]+(\.md)?(#[\w-]*)?$)/;

// Raw HTML in a runbook is shown as text, and links other than http(s), anchors and sibling pages
// are neutralised: the page is served from the exporter's origin.
const markdown = new Marked({
  renderer: { html: ({ text }) => escapeHtml(text) },
  walkTokens(token) {
    if ((token.type === 'link' || token.type === 'image') && !SAFE_HREF.test(token.href)) token.href = '#';
    // Links between runbooks point at the served page, not the .md file.
    if (token.type === 'link' && /^VMZombie\w+\.md$/.test(token.href)) token.href = token.href.slice(0, -3);
  },
});

/** Markdown to HTML with raw HTML escaped and unsafe links neutralised. */
export function renderMarkdown(text: string): string {
  return markdown.parse(text, { async: false });
}

const cache = new Map<string, string>();

function alertOf(name: string): string | null {
  if (ALERT_NAMES.includes(name)) return name;
  if ((FINDING_KINDS as readonly string[]).includes(name)) return CATALOG[name as FindingKind].alert.name;
  return null;
}

/** The rendered runbook of an alert name or finding kind, or null for any other name. */
export function renderRunbook(name: string): string | null {
  const alert = alertOf(name);
  if (alert === null) return null;
  const hit = cache.get(alert);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(new URL(`${alert}.md`, RUNBOOK_DIR), 'utf8');
  } catch {
    return null;
  }
  const body = renderMarkdown(text.replace(/^# .*\n/, ''));
  const html = page(alert, `<p><a href="/runbooks">All runbooks</a></p>\n${body}`);
  cache.set(alert, html);
  return html;
}

/** The runbook for the path segment after /runbooks/ as it came in the URL (percent-encoded). */
export function renderRunbookPath(segment: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return renderRunbook(name);
}

export function renderRunbookIndex(): string {
  const rows = buildAlerts(DEFAULT_CONFIG).map((a) => {
    const anchor = a.kind ? ` id="${escapeHtml(a.kind)}"` : '';
    const what = a.kind ? CATALOG[a.kind].title : a.summary.replace(/\{\{[^}]*\}\}/g, '…');
    return (
      `<tr${anchor}><td><a href="/runbooks/${escapeHtml(a.name)}">${escapeHtml(a.name)}</a></td>` +
      `<td>${escapeHtml(a.severity)}</td><td>${escapeHtml(a.kind ?? '')}</td><td>${escapeHtml(what)}</td></tr>`
    );
  });
  return page(
    'Runbooks',
    `<table><tr><th>alert</th><th>severity</th><th>kind</th><th>what</th></tr>\n${rows.join('\n')}\n</table>`,
  );
}
