// What a page says about the completeness of a collection: collectors down and detectors that could
// not judge, each with its reason. Absence of findings means little while these are listed.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { DetectionResult } from '../detectors/finding.js';
import { CATALOG } from '../catalog/catalog.js';
import type { FindingKind } from '../detectors/finding.js';
import { html, type Html } from './html.js';

export function collectorsDown(snapshot: Snapshot): Array<[string, string]> {
  return Object.entries(snapshot.collectors)
    .filter(([, s]) => s.state === 'error' || s.state === 'timeout')
    .map(([name, s]): [string, string] => {
      const kept = s.stale ? ' (last good data kept)' : '';
      return [name, `${s.state}${s.reason ? `: ${s.reason}` : ''}${kept}`];
    });
}

export function detectorsNotJudging(detection: DetectionResult): Array<[FindingKind, string]> {
  const out: Array<[FindingKind, string]> = [];
  for (const [k, why] of Object.entries(detection.skipped)) out.push([k as FindingKind, `could not run: ${why}`]);
  for (const [k, why] of Object.entries(detection.errors)) out.push([k as FindingKind, `failed: ${why}`]);
  return out;
}

export function incompleteHtml(snapshot: Snapshot, detection: DetectionResult): Html {
  const down = collectorsDown(snapshot);
  const notJudging = detectorsNotJudging(detection);
  if (down.length === 0 && notJudging.length === 0) return html``;
  const downItems = down.map(([n, why]) => html`<li><strong>${n}</strong> <span class="down">${why}</span></li>`);
  const judgeItems = notJudging.map(
    ([k, why]) => html`<li>${CATALOG[k].title} <span class="muted">(${k})</span>:
${why}</li>`,
  );
  return html`<section class="incomplete"><h2>Not fully judged</h2>
${down.length ? html`<p>Collectors down:</p><ul>${downItems}</ul>` : ''}
${
  notJudging.length
    ? html`<details${notJudging.length <= 5 ? html` open` : ''}>
<summary>${notJudging.length} detector(s) could not judge</summary><ul>${judgeItems}</ul></details>`
    : ''
}
</section>`;
}
