// What the cluster agent's watch caches hold of each object: the identity the informer keys and versions it by,
// and what the reader made of the rest when it arrived (a list page, a watch event). The object itself is not
// kept, so the caches hold the parsed records (a fraction of the API's JSON) and nothing is parsed twice.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeError } from '../../util/fs-errors.js';
import { KINDS, type ObjectMeta, type Placement } from './kinds.js';
import { deletingObject, parseMeta, withMeta } from './parse-objects.js';
import type { ResourceSpec } from './resources.js';

/** Facts a watch event could not be read for, or already told: the trackers are not told (again). */
export const UNREAD = Symbol('unread');

const NONE: Placement[] = [];

/**
 * One cached object. `metadata` is what the informer keys and versions it by (name, namespace,
 * resourceVersion) and what the kinds read of it later.
 */
export interface Entry {
  metadata: ObjectMeta & { resourceVersion?: string };
  /** The kind's parse; undefined when the object could not be parsed (`problem` says why). */
  base: unknown;
  problem: string | null;
  /**
   * What the object places in the section: all of it for a kind without watch-derived values (made once, here),
   * else its deletion state and keep marker, to which each collection adds the kind's record.
   */
  placed: Placement[];
  /** What its watch event tells the trackers (`KindHandler.facts`), until told; else UNREAD. */
  facts: unknown;
  /**
   * A kind with watch-derived values: the record the last collection made and from what (the entry lives as long
   * as its object's version is cached, and so does this).
   */
  recorded?: Recorded;
  /** The object's row in its kind's lists (every version keeps it), -1 until the reader gives it one. */
  row: number;
  /** What the object (this version or its last) has at its row in the section's lists. */
  shown: Placement[] | undefined;
}

/** A kind's record of an object: what the watch added, and the section entries made from it. */
export interface Recorded {
  watched: unknown;
  placements: Placement[];
}

export function cacheEntry(spec: ResourceSpec, o: KubernetesObject): Entry {
  const md = o.metadata ?? {};
  const entry: Entry = {
    metadata: {
      name: md.name ?? '',
      namespace: md.namespace ?? '',
      uid: md.uid ?? '',
      deletionTimestamp: null,
      ...(md.resourceVersion !== undefined ? { resourceVersion: md.resourceVersion } : {}),
    },
    base: undefined,
    problem: null,
    placed: NONE,
    facts: UNREAD,
    row: -1,
    shown: undefined,
  };
  const handler = KINDS[spec.kind];
  try {
    const meta = parseMeta(o);
    entry.metadata.deletionTimestamp = meta.deletionTimestamp;
    entry.base = withMeta(o, meta, () => handler.parse(o));
    const placed: Placement[] = [];
    if (!handler.sharesObjects) {
      const deleting = deletingObject(spec.resource, meta);
      if (deleting) placed.push({ field: 'deleting', item: deleting });
      if (meta.keep)
        placed.push({
          field: 'keepMarkers',
          item: { resource: spec.resource, namespace: meta.namespace, name: meta.name, keep: meta.keep },
        });
    }
    if (!handler.watched) placed.push(...handler.record(entry.metadata, entry.base, undefined));
    // A copy of its exact length: an array grown by push keeps room for 16 (87 100 of them at 10 000 VMs).
    if (placed.length > 0) entry.placed = placed.slice();
  } catch (e: unknown) {
    entry.base = undefined;
    entry.placed = NONE;
    entry.problem = `${spec.resource} ${md.namespace ?? ''}/${md.name ?? '?'}: ${describeError(e)}`;
  }
  if (handler.facts) {
    try {
      entry.facts = handler.facts(o);
    } catch {
      // Unreadable history fields: the trackers skip this event; the parse above reports the object.
    }
  }
  return entry;
}
