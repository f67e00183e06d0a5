// One abort listener per collection (not per call: thousands of listeners on one signal cost as
// much as the calls), removed when the collection ends.
export function abortOnSignal(signal: AbortSignal, onAbort: (reason: Error) => void): () => void {
  const reasonOf = () => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) {
    onAbort(reasonOf());
    return () => {};
  }
  const listener = () => onAbort(reasonOf());
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
