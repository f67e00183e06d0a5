// One watched kind's part of the cluster section, kept object by object. Its watch events (the informer's
// add, update and delete callbacks) say which objects changed; a collection remakes only those objects'
// entries (and the ones the kind says changed without an event), so its cost follows the events since the
// last collection, not the size of the cache. The kind's lists are arrays patched in place by object and
// copied once per collection in which they changed: a list that did not change is the same array.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeError } from '../../util/fs-errors.js';
import type { Entry, Recorded } from './cache-entry.js';
import type { KindHandler, KindState, ListField, Placement } from './kinds.js';
import type { ResourceSpec } from './resources.js';

/** One kind's part of the section: the same object, and the same lists, while nothing in it changed. */
export interface Share {
  lists: Partial<Record<ListField, unknown[]>>;
  problems: string[];
}

const NONE: Placement[] = [];
const NOTHING_CHANGED: ReadonlySet<string> = new Set();

/**
 * A section list as an array whose order is free: an object's entry is replaced where it stands and a removed
 * one takes the last entry's place, so every change costs the same whatever the list's length.
 */
class SlotList {
  private readonly items: unknown[] = [];
  private readonly keys: string[] = [];
  private readonly at = new Map<string, number>();
  private copy: unknown[] = [];
  private changed = false;

  set(key: string, item: unknown): void {
    const i = this.at.get(key);
    if (i === undefined) {
      this.at.set(key, this.items.length);
      this.items.push(item);
      this.keys.push(key);
    } else this.items[i] = item;
    this.changed = true;
  }

  delete(key: string): void {
    const i = this.at.get(key);
    if (i === undefined) return;
    const last = this.items.length - 1;
    if (i !== last) {
      const moved = this.keys[last] as string;
      this.items[i] = this.items[last];
      this.keys[i] = moved;
      this.at.set(moved, i);
    }
    this.items.pop();
    this.keys.pop();
    this.at.delete(key);
    this.changed = true;
  }

  get size(): number {
    return this.items.length;
  }

  /** What the section holds: a new array when anything changed since the last call, else the same one. */
  list(): unknown[] {
    if (this.changed) {
      this.copy = this.items.slice();
      this.changed = false;
    }
    return this.copy;
  }
}

/** An object's slot key in one list: its uid, and for a second entry in the same list the uid and its index. */
const slotKey = (key: string, index: number) => (index === 0 ? key : `${key}\u0001${index}`);

export class KindShare {
  /** The informer's objects by key (their uid); kept from its callbacks, so a collection never copies its cache. */
  private readonly entries = new Map<string, Entry>();
  /** Which key each namespace/name holds: a relist can replace an object by one of the same name without a delete. */
  private readonly byName = new Map<string, Map<string, string>>();
  private readonly slots = new Map<ListField, SlotList>();
  private readonly problemOf = new Map<string, string>();
  private problemsChanged = false;
  /** Keys whose object arrived (added or a new version) since the last collection. */
  private readonly dirty = new Set<string>();
  private touched = false;
  private epoch: number | null = null;
  private last: Share | null = null;

  constructor(
    private readonly spec: ResourceSpec,
    private readonly handler: KindHandler<unknown, unknown>,
    /** The kind's `forget`, for an object a relist replaced without telling. */
    private readonly forgotten: (uid: string) => void,
  ) {}

  /** An object added or a new version of it (the informer's add and update). */
  upsert(o: Entry): void {
    const key = keyOf(o.metadata);
    const names = this.namesIn(o.metadata.namespace);
    const before = names.get(o.metadata.name);
    if (before !== undefined && before !== key) {
      this.drop(before);
      this.forgotten(before);
    }
    names.set(o.metadata.name, key);
    // What the object's last version placed is in the lists until this one's entries replace it.
    o.shown = this.entries.get(key)?.shown;
    this.entries.set(key, o);
    this.dirty.add(key);
    this.touched = true;
  }

  /** An object deleted (the informer's delete: the stored object, or the watch's last version of it). */
  remove(o: KubernetesObject): void {
    const namespace = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    const names = this.byName.get(namespace);
    const key = names?.get(name);
    if (names === undefined || key === undefined) return;
    names.delete(name);
    if (names.size === 0) this.byName.delete(namespace);
    this.drop(key);
  }

  private namesIn(namespace: string): Map<string, string> {
    let names = this.byName.get(namespace);
    if (names === undefined) this.byName.set(namespace, (names = new Map()));
    return names;
  }

  private drop(key: string): void {
    const o = this.entries.get(key);
    if (o !== undefined) this.show(key, o, NONE);
    this.entries.delete(key);
    this.dirty.delete(key);
    this.setProblem(key, null);
    this.touched = true;
  }

  /**
   * The kind's part of the section now: the last one while no object arrived or left, its `watchedEpoch` is
   * unchanged and no object's watch-derived value changed without an event; else the last one with the objects
   * that did remade. Every object is asked again when the epoch moved.
   */
  collect(state: KindState, now: number): Share {
    const handler = this.handler;
    const epoch = handler.watchedEpoch ? handler.watchedEpoch(state, now) : 0;
    const changed = handler.changedWithoutEvent ? handler.changedWithoutEvent(state, now) : NOTHING_CHANGED;
    const askAll = this.last === null || epoch === null || epoch !== this.epoch;
    this.epoch = epoch;
    if (this.last !== null && !askAll && !this.touched && changed.size === 0) return this.last;
    if (askAll) {
      for (const [key, o] of this.entries) this.place(key, o, state, now, true);
    } else {
      for (const key of this.dirty) {
        const o = this.entries.get(key);
        if (o !== undefined) this.place(key, o, state, now, changed.has(key));
      }
      for (const key of changed) {
        const o = this.dirty.has(key) ? undefined : this.entries.get(key);
        if (o !== undefined) this.place(key, o, state, now, true);
      }
    }
    this.dirty.clear();
    this.touched = false;
    const lists: Share['lists'] = {};
    for (const [field, slot] of this.slots) if (slot.size > 0) lists[field] = slot.list();
    const problems = this.problemsChanged || this.last === null ? [...this.problemOf.values()] : this.last.problems;
    this.problemsChanged = false;
    this.last = { lists, problems };
    return this.last;
  }

  /** Places the object's entries; its record is made anew when asked (`ask`) or when it has none yet. */
  private place(key: string, o: Entry, state: KindState, now: number, ask: boolean): void {
    const handler = this.handler;
    if (o.problem !== null) {
      this.setProblem(key, o.problem);
      this.show(key, o, NONE);
      return;
    }
    let placements: Placement[];
    if (!handler.watched) placements = o.placed;
    else {
      try {
        placements = (o.recorded === undefined || ask ? recordOf(state, handler, o, now) : o.recorded).placements;
      } catch (e: unknown) {
        this.setProblem(key, `${this.spec.resource} ${o.metadata.namespace}/${o.metadata.name}: ${describeError(e)}`);
        this.show(key, o, NONE);
        return;
      }
    }
    this.setProblem(key, null);
    this.show(key, o, placements);
  }

  private setProblem(key: string, problem: string | null): void {
    const was = this.problemOf.get(key);
    if (problem === null) {
      if (was === undefined) return;
      this.problemOf.delete(key);
    } else {
      if (was === problem) return;
      this.problemOf.set(key, problem);
    }
    this.problemsChanged = true;
  }

  /** Puts the object's placements in the lists in place of what it placed before. */
  private show(key: string, o: Entry, placements: Placement[]): void {
    const old = o.shown ?? NONE;
    if (old === placements) return;
    for (let i = 0; i < placements.length; i++) {
      const p = placements[i] as Placement;
      let slot = this.slots.get(p.field);
      if (slot === undefined) this.slots.set(p.field, (slot = new SlotList()));
      slot.set(slotKey(key, countBefore(placements, i, p.field)), p.item);
    }
    // What it placed before and places no more (a list it left, or fewer entries in one).
    for (let i = 0; i < old.length; i++) {
      const field = (old[i] as Placement).field;
      const n = countBefore(old, i, field);
      if (n < countBefore(placements, placements.length, field)) continue;
      this.slots.get(field)?.delete(slotKey(key, n));
    }
    o.shown = placements;
  }
}

/** How many of the first `end` placements are in `field`. */
function countBefore(placements: Placement[], end: number, field: ListField): number {
  let n = 0;
  for (let j = 0; j < end; j++) if ((placements[j] as Placement).field === field) n++;
  return n;
}

/** An object's key: its uid (one without a uid, which the API server never serves, by its namespace and name). */
function keyOf(meta: Entry['metadata']): string {
  return meta.uid !== '' ? meta.uid : `\u0000${meta.namespace}/${meta.name}`;
}

/** Asks the kind what the watch adds to the object; its record is made anew only when that differs. */
export function recordOf(state: KindState, handler: KindHandler<unknown, unknown>, o: Entry, now: number): Recorded {
  const watched = (handler.watched as NonNullable<typeof handler.watched>)(state, o.metadata, o.base, now);
  const rec = o.recorded;
  if (rec !== undefined && sameValue(rec.watched, watched)) return rec;
  o.recorded = { watched, placements: o.placed.concat(handler.record(o.metadata, o.base, watched)) };
  return o.recorded;
}

/** ===, or for two arrays element by element. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
