// Indexes the KubeVirt detectors build from the kube section, kept by the identity of what they are built from:
// the reader hands out the same list while none of its objects changed, and the same record while its object did
// not, so an index over 10 000 VMs, or an object's `namespace/name` key, is built once and not every collection.
import type { KubeClaimUser, KubePod, KubeSection } from '../snapshot/kube.js';

type Named = { namespace: string; name: string };

const keys = new WeakMap<object, string>();

/** `namespace/name` of a record, the same string object for the record's lifetime. */
export function nsName(o: Named): string {
  let k = keys.get(o);
  if (k === undefined) {
    k = `${o.namespace}/${o.name}`;
    keys.set(o, k);
  }
  return k;
}

const claimKeys = new WeakMap<object, readonly string[]>();

/** `namespace/claim` of each claim a record names (a claim that names its namespace already is kept as it is). */
export function claimKeysOf(o: { namespace: string; claims?: readonly string[] | undefined }): readonly string[] {
  let k = claimKeys.get(o);
  if (k === undefined) {
    k = (o.claims ?? []).map((c) => (c.includes('/') ? c : `${o.namespace}/${c}`));
    claimKeys.set(o, k);
  }
  return k;
}

/** Memoizes a function of one list by the list's identity. */
export function perList<T, R>(fn: (list: readonly T[]) => R): (list: readonly T[]) => R {
  const cache = new WeakMap<readonly T[], R>();
  return (list) => {
    let r = cache.get(list);
    if (r === undefined) {
      r = fn(list);
      cache.set(list, r);
    }
    return r;
  };
}

/** Uids of VMs, VMIs or pods. */
export const uidsOf = perList((list: ReadonlyArray<{ uid: string }>) => new Set(list.map((o) => o.uid)));

/** The VMI uids the virt-launcher pods name (`kubevirt.io/created-by`). */
export const launcherOwners = perList(
  (pods: readonly KubePod[]) => new Set(pods.filter((p) => p.component === 'virt-launcher').map((p) => p.createdBy)),
);

/** `namespace/name` of every record of a list. */
export const namesOf = perList((list: readonly Named[]) => new Set(list.map(nsName)));

const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';

/** DataVolumes among the claim users, by `namespace/name`. */
export const dataVolumesOf = perList(
  (users: readonly KubeClaimUser[]) =>
    new Map(users.filter((u) => u.resource === DATAVOLUMES).map((u) => [nsName(u), u])),
);

/** What the active claim users hold: `namespace/claim` keys and PV names. */
export const heldByUsers = perList((users: readonly KubeClaimUser[]) => {
  const claims = new Set<string>();
  const volumes = new Set<string>();
  for (const u of users) {
    if (!u.active) continue;
    for (const c of claimKeysOf(u)) claims.add(c);
    for (const v of u.volumes) volumes.add(v);
  }
  return { claims, volumes };
});

/** `namespace/claim` of every claim the records name. */
export const claimsOf = perList(
  (list: ReadonlyArray<{ namespace: string; claims?: readonly string[] | undefined }>) => {
    const out = new Set<string>();
    for (const o of list) for (const c of claimKeysOf(o)) out.add(c);
    return out;
  },
);

/** The kube section's lists, or empty ones for the optional lists of old snapshots. */
export const EMPTY: readonly never[] = Object.freeze([]);
export const listOf = <F extends keyof KubeSection>(kube: KubeSection, field: F): NonNullable<KubeSection[F]> =>
  (kube[field] ?? EMPTY) as NonNullable<KubeSection[F]>;
