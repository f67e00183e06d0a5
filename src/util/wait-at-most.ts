// Waiting for background work with a bound: a first collection waits for a slow scan this long, no longer.

/** Resolves when `p` settles, `ms` pass or the signal aborts, whichever comes first; never rejects. */
export function waitAtMost(p: Promise<unknown>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    p.then(done, done);
  });
}
