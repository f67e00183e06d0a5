// Images on shared storage in `scan` and on the findings page: not findings of this host. One host alone
// cannot call such an image an orphan (a domain on another host may use it); the fleet rule decides.
import type { SharedImagesView } from '../views/shared-images.js';
import { html, type Html } from './html.js';
import { humanBytes } from './human.js';

export const SHARED_NOTE =
  'On shared storage: one host alone cannot judge these. Each is unused on this host; the fleet rule ' +
  'VMZombieSharedImageOrphan alerts once no host that mounts the store uses it.';

const unused = (v: SharedImagesView) => v.images.filter((i) => i.state === 'unused');
const size = (b: number | null) => (b === null ? '' : `, ${humanBytes(b)}`);

/** Lines for the `scan` report; none when this host mounts no shared storage. */
export function sharedImagesText(view: SharedImagesView | null | undefined): string[] {
  if (!view) return [];
  const out = ['', `Shared storage (${view.stores.length} store(s)): ${SHARED_NOTE}`];
  for (const s of view.stores) {
    const judged = s.notJudged === null ? 'judged here' : `not judged here: ${s.notJudged}`;
    out.push(`  store ${s.store} at ${s.mountPoints.join(', ')} (${s.reason}; ${judged})`);
  }
  for (const i of unused(view)) out.push(`  candidate ${i.path} (store path ${i.image}${size(i.allocatedBytes)})`);
  const inUse = view.images.length - unused(view).length;
  out.push(`  ${inUse} shared image(s) in use on this host.`);
  return out;
}

export function sharedImagesHtml(view: SharedImagesView | null | undefined): Html | string {
  if (!view) return '';
  const stores = view.stores.map(
    (s) =>
      html`<li><code>${s.store}</code> at ${s.mountPoints.join(', ')} (${s.reason}; ${
        s.notJudged === null ? 'judged here' : `not judged here: ${s.notJudged}`
      })</li>`,
  );
  const candidates = unused(view).map(
    (i) =>
      html`<li><code>${i.path}</code> <span class="muted">store path ${i.image}${size(i.allocatedBytes)}</span></li>`,
  );
  return html`<section id="shared-storage"><h2>Shared storage</h2><p>${SHARED_NOTE}</p>
<ul>${stores}</ul>
${candidates.length ? html`<h3>Unused on this host (${candidates.length})</h3><ul>${candidates}</ul>` : ''}
</section>`;
}
