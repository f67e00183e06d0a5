// Runs one detector the way the engine does: its declared preconditions first. Returns the findings,
// or the reason it could not judge, so detector tables can test "cannot judge" as well as "healthy".
import type { AnyDetector, DetectContext } from '../../src/detectors/detector.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { checkPreconditions } from '../../src/engine/findings-state.js';

export function skipReason(detector: AnyDetector, snapshot: Snapshot): string | null {
  const verdict = checkPreconditions(detector.needs, snapshot);
  if (verdict.run) return null;
  return 'reason' in verdict ? verdict.reason : 'inapplicable';
}

/** The findings when the detector may judge; throws when the engine would skip it. */
export function judge(detector: AnyDetector, snapshot: Snapshot, ctx: DetectContext<string>): unknown[] {
  const why = skipReason(detector, snapshot);
  if (why !== null) throw new Error(`${detector.kind} skipped: ${why}`);
  return detector.detect(snapshot, ctx);
}
