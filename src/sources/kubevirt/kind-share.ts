// One watched kind's part of the cluster section, kept object by object. Its watch events (the informer's
// add, update and delete callbacks) say which objects changed; a collection remakes only those objects'
// entries (and the ones the kind says changed without an event), so its cost follows the events since the
// last collection, not the size of the cache. Each object has a row and each list is a column of the rows, patched
// in place and copied once per collection in which it changed: a list that did not change is the same array.
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

/** An object's entries in one list when it places more than one there (the kinds' type allows it). */
class Several {
  constructor(readonly items: unknown[]) {}
}

/**
 * One section list as a column of the kind's rows (each object has a row while it exists): an object's entry
 * is written at its row and a row left is emptied until another object takes it, so a change costs the same
 * whatever the list's length, and no index of the objects is kept besides the rows.
 */
class Column {
  private readonly cells: unknown[] = [];
  private copy: unknown[] = [];
  private changed = false;

  set(row: number, value: unknown): void {
    // Kept dense (a row past the end is reached through empty cells): a sparse array would become a dictionary.
    while (this.cells.length < row) this.cells.push(undefined);
    if (this.cells[row] === value) return;
    this.cells[row] = value;
    this.changed = true;
  }

  /** What the section holds: a new array when anything changed since the last call, else the same one. */
  list(): unknown[] {
    if (this.changed) {
      const copy: unknown[] = [];
      for (const value of this.cells) {
        if (value === undefined) continue;
        if (value instanceof Several) copy.push(...value.items);
        else copy.push(value);
      }
      this.copy = copy;
      this.changed = false;
    }
    return this.copy;
  }
}

export class KindShare {
  /**
   * The informer's objects, by namespace and name as it keys them (kept from its callbacks, so a collection never
   * copies its cache): a relist can replace an object by one of the same name and a new uid without a delete.
   */
  private readonly byName = new Map<string, Map<string, Entry>>();
  /** The same objects by key, for a kind that names objects changed without an event (by uid). */
  private readonly byKey: Map<string, Entry> | null;
  /** The objects a move of the kind's epoch can change, for a kind that says which (`epochReaches`). */
  private readonly reached: Set<Entry> | null;
  private readonly columns = new Map<ListField, Column>();
  /** Rows of objects that are gone, for the next objects to take; `rows` is the next new one. */
  private readonly freeRows: number[] = [];
  private rows = 0;
  private readonly problemOf = new Map<string, string>();
  private problemsChanged = false;
  /** Objects that arrived (added or a new version) since the last collection; some since replaced by newer ones. */
  private readonly dirty = new Set<Entry>();
  private touched = false;
  private epoch: number | null = null;
  private last: Share | null = null;

  constructor(
    private readonly spec: ResourceSpec,
    private readonly handler: KindHandler<unknown, unknown>,
    /** The kind's `forget`, for an object a relist replaced without telling. */
    private readonly forgotten: (uid: string) => void,
  ) {
    this.byKey = handler.changedWithoutEvent ? new Map() : null;
    this.reached = handler.watchedEpoch && handler.epochReaches ? new Set() : null;
  }

  /** An object added or a new version of it (the informer's add and update). */
  upsert(o: Entry): void {
    const key = keyOf(o.metadata);
    let names = this.byName.get(o.metadata.namespace);
    if (names === undefined) this.byName.set(o.metadata.namespace, (names = new Map()));
    const before = names.get(o.metadata.name);
    if (before !== undefined) {
      const beforeKey = keyOf(before.metadata);
      if (beforeKey === key) {
        // Its row, and what its last version placed there until this one's entries replace it.
        o.row = before.row;
        o.shown = before.shown;
        this.dirty.delete(before);
        this.reached?.delete(before);
      } else {
        this.drop(beforeKey, before);
        this.forgotten(beforeKey);
      }
    }
    if (o.row < 0) o.row = this.freeRows.pop() ?? this.rows++;
    names.set(o.metadata.name, o);
    this.byKey?.set(key, o);
    if (this.reached !== null && o.problem === null && this.handler.epochReaches?.(o.base)) this.reached.add(o);
    this.dirty.add(o);
    this.touched = true;
  }

  /** An object deleted (the informer's delete: the stored object, or the watch's last version of it). */
  remove(o: KubernetesObject): void {
    const namespace = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    const names = this.byName.get(namespace);
    const entry = names?.get(name);
    if (names === undefined || entry === undefined) return;
    names.delete(name);
    if (names.size === 0) this.byName.delete(namespace);
    this.drop(keyOf(entry.metadata), entry);
  }

  private drop(key: string, o: Entry): void {
    this.show(o, NONE);
    this.freeRows.push(o.row);
    this.setProblem(key, null);
    this.dirty.delete(o);
    this.reached?.delete(o);
    this.byKey?.delete(key);
    this.touched = true;
  }

  /**
   * The kind's part of the section now: the last one while no object arrived or left, its `watchedEpoch` is
   * unchanged and no object's watch-derived value changed without an event; else the last one with the objects
   * that did remade. When the epoch moved, the objects it reaches are asked again (every object, for a kind that does
   * not say which).
   */
  collect(state: KindState, now: number): Share {
    const handler = this.handler;
    const epoch = handler.watchedEpoch ? handler.watchedEpoch(state, now) : 0;
    const changed = handler.changedWithoutEvent ? handler.changedWithoutEvent(state, now) : NOTHING_CHANGED;
    const epochMoved = epoch !== this.epoch;
    const askAll = this.last === null || epoch === null || (epochMoved && this.reached === null);
    this.epoch = epoch;
    if (this.last !== null && !askAll && !epochMoved && !this.touched && changed.size === 0) return this.last;
    if (askAll) {
      for (const names of this.byName.values())
        for (const o of names.values()) this.place(keyOf(o.metadata), o, state, now, true);
    } else {
      // The epoch moved for a kind that says which objects it reaches: those are asked again, the rest kept.
      if (epochMoved) for (const o of this.reached ?? []) this.place(keyOf(o.metadata), o, state, now, true);
      for (const o of this.dirty) {
        const key = keyOf(o.metadata);
        this.place(key, o, state, now, changed.has(key));
      }
      for (const key of changed) {
        const o = this.byKey?.get(key);
        if (o !== undefined && !this.dirty.has(o)) this.place(key, o, state, now, true);
      }
    }
    this.dirty.clear();
    this.touched = false;
    const lists: Share['lists'] = {};
    for (const [field, column] of this.columns) lists[field] = column.list();
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
      this.show(o, NONE);
      return;
    }
    let placements: Placement[];
    if (!handler.watched) placements = o.placed;
    else {
      try {
        placements = (o.recorded === undefined || ask ? recordOf(state, handler, o, now) : o.recorded).placements;
      } catch (e: unknown) {
        this.setProblem(key, `${this.spec.resource} ${o.metadata.namespace}/${o.metadata.name}: ${describeError(e)}`);
        this.show(o, NONE);
        return;
      }
    }
    this.setProblem(key, null);
    this.show(o, placements);
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

  /** Writes the object's placements at its row in place of what it placed before. */
  private show(o: Entry, placements: Placement[]): void {
    const old = o.shown ?? NONE;
    if (old === placements) return;
    for (let i = 0; i < placements.length; i++) {
      const field = (placements[i] as Placement).field;
      if (countOf(placements, i, field) > 0) continue;
      let column = this.columns.get(field);
      if (column === undefined) this.columns.set(field, (column = new Column()));
      const value =
        countOf(placements, placements.length, field) === 1
          ? (placements[i] as Placement).item
          : new Several(placements.filter((p) => p.field === field).map((p) => p.item));
      column.set(o.row, value);
    }
    // A list it placed an entry in before and places none in now.
    for (const p of old)
      if (countOf(placements, placements.length, p.field) === 0) this.columns.get(p.field)?.set(o.row, undefined);
    o.shown = placements;
  }
}

/** How many of the first `end` placements are in `field`. */
function countOf(placements: Placement[], end: number, field: ListField): number {
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
