// Whether a detector (or an inventory metric) can judge a snapshot: the sections it needs are collected,
// fresh and up, and every fact it needs holds. Shared by the engine and the metrics, so a metric and a
// finding never disagree about whether they could judge.
import type { Precondition } from '../detectors/detector.js';
import type { SectionName, Snapshot } from '../snapshot/snapshot.js';
import type { Fact } from './family.js';
import { FACTS } from './index.js';

/** Why a detector cannot judge this snapshot: sections down or stale, or a fact about them that fails. */
export type Verdict =
  { run: true } | { run: false; reason: string; keepLast: boolean } | { run: false; inapplicable: true };

export function checkPreconditions(
  needs: readonly Precondition[],
  snapshot: Snapshot,
  facts: Readonly<Record<string, Fact>> = FACTS,
): Verdict {
  const sections = needs.filter((n): n is SectionName => !n.includes('.'));
  // None of its collectors runs here (cluster kinds on a node agent): not this exporter's business.
  if (sections.length > 0 && sections.every((n) => snapshot.collectors[n] === undefined))
    return { run: false, inapplicable: true };
  // Some but not all (procfs switched off beside libvirt), or down: it says what it lacks.
  const down = sections.filter(
    (n) => snapshot[n] === undefined || snapshot.collectors[n]?.stale || snapshot.collectors[n]?.state !== 'ok',
  );
  if (down.length > 0) return { run: false, reason: `needs ${down.join(', ')}`, keepLast: true };
  for (const need of needs) {
    if (!need.includes('.')) continue;
    const colon = need.indexOf(':');
    const name = colon < 0 ? need : need.slice(0, colon);
    const fact = facts[name];
    // An unknown fact can vouch for nothing (the registry test keeps this from shipping).
    if (!fact) return { run: false, reason: `needs ${need}, a fact no family publishes`, keepLast: false };
    const reason = fact.check(snapshot, colon < 0 ? undefined : need.slice(colon + 1));
    if (reason !== null) return { run: false, reason, keepLast: fact.transient };
  }
  return { run: true };
}
