// What the cluster agent's watch caches hold of each object: the identity the informer keys and versions it by,
// and what the reader made of the rest when it arrived (a list page, a watch event). The object itself is not
// kept, so the caches hold the parsed records (a fraction of the API's JSON) and nothing is parsed twice.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeError } from '../../util/fs-errors.js';
import { KINDS, type Placement } from './kinds.js';
import { deletingObject, parseMeta, type Meta } from './parse-objects.js';
import type { ResourceSpec } from './resources.js';

/** What an object's resourceVersion fixes. */
export interface Parsed {
  meta: Meta;
  base: unknown;
  /** What every kind places for its objects: the deletion state and the keep marker. */
  fixed: Placement[];
}

/** Facts a watch event could not be read for: the trackers are not told (the object is still parsed). */
export const UNREAD = Symbol('unread');

export interface Entry extends KubernetesObject {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
  parsed: Parsed | null;
  /** Why the object could not be parsed (then `parsed` is null). */
  problem: string | null;
  /** What its watch event tells the trackers (`KindHandler.facts`), or UNREAD. */
  facts: unknown;
}

export function cacheEntry(spec: ResourceSpec, o: KubernetesObject): Entry {
  const md = o.metadata ?? {};
  const entry: Entry = {
    metadata: {
      name: md.name ?? '',
      ...(md.namespace !== undefined ? { namespace: md.namespace } : {}),
      ...(md.uid !== undefined ? { uid: md.uid } : {}),
      ...(md.resourceVersion !== undefined ? { resourceVersion: md.resourceVersion } : {}),
    },
    parsed: null,
    problem: null,
    facts: UNREAD,
  };
  const handler = KINDS[spec.kind];
  try {
    const meta = parseMeta(o);
    const base = handler.parse(o);
    const fixed: Placement[] = [];
    if (!handler.sharesObjects) {
      const deleting = deletingObject(spec.resource, meta);
      if (deleting) fixed.push({ field: 'deleting', item: deleting });
      if (meta.keep)
        fixed.push({
          field: 'keepMarkers',
          item: { resource: spec.resource, namespace: meta.namespace, name: meta.name, keep: meta.keep },
        });
    }
    entry.parsed = { meta, base, fixed };
  } catch (e: unknown) {
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
