// Memoizes a pure function of two snapshot sections by their identity: several detectors derive
// the same index from one snapshot (domain ↔ qemu pairing, stray lock holders), and a snapshot's
// sections are never changed after collection, so computing it once per snapshot is the same result.
export function memoByIdentity<A extends object, B extends object, R>(fn: (a: A, b: B) => R): (a: A, b: B) => R {
  const cache = new WeakMap<A, WeakMap<B, R>>();
  return (a, b) => {
    let inner = cache.get(a);
    if (!inner) cache.set(a, (inner = new WeakMap()));
    if (inner.has(b)) return inner.get(b) as R;
    const result = fn(a, b);
    inner.set(b, result);
    return result;
  };
}
