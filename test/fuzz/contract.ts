// The contract every parser of outside input is fuzzed against: it returns plain data of bounded
// size, or throws an Error it meant to (a typed error or a plain Error with a message) — never a
// TypeError / RangeError from a shape it did not expect, and never a non-Error.
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Fixed, so every run replays the same cases; failures print the seed and path to add to `examples`. */
export const FUZZ_SEED = 19_2026;
export const FUZZ_RUNS = 400;

/** Returns the parser's data, or undefined when it threw an error it meant to. */
export function dataOrMeantError<T>(run: () => T, inputSize: number): T | undefined {
  let out: T;
  try {
    out = run();
  } catch (e: unknown) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), `unexpected ${e.name}: ${e.message}`);
    assert.ok(e.message.length > 0 && e.message.length < 2000, 'error message empty or unbounded');
    return undefined;
  }
  const json = JSON.stringify(out, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
  // Output grows at most linearly with the input (no amplification).
  assert.ok((json?.length ?? 0) <= 20 * inputSize + 4096, `output of ${json?.length} chars for ${inputSize} of input`);
  return out;
}

export function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, examples: T[] = []): void {
  fc.assert(fc.property(arb, predicate), {
    seed: FUZZ_SEED,
    numRuns: FUZZ_RUNS,
    examples: examples.map((e) => [e] as [T]),
  });
}

/** Lines built from the tokens a format uses, so the fuzzer reaches past the first check. */
export function linesOf(tokens: readonly string[], maxLines = 20): fc.Arbitrary<string> {
  const token = fc.oneof(
    fc.constantFrom(...tokens),
    fc.string({ maxLength: 8 }),
    fc.nat().map(String),
    fc.integer().map(String),
  );
  const line = fc
    .array(token, { maxLength: 12 })
    .chain((ts) => fc.constantFrom(' ', '\t', '  ', ':').map((sep) => ts.join(sep)));
  return fc.array(line, { maxLength: maxLines }).map((ls) => ls.join('\n'));
}
