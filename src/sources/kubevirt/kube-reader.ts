// The cluster agent's reader: one watch cache per watched resource, kept by @kubernetes/client-node
// informers created here, and the history only the watch can know (kinds.ts). A collection reads
// the caches and what the watch observed; it never lists the API server.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeSection } from '../../snapshot/kube.js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/fs-errors.js';
import { WATCHED, type ResourceKind } from './resources.js';
import { ResourceCache } from './resource-cache.js';
import { PodMetricsPoller } from './pod-metrics.js';
import { FreezeTracker, OomTracker, StatusTracker } from './trackers.js';
import { UNREAD, cacheEntry, type Entry, type Recorded } from './cache-entry.js';
import { listResource } from './list-pages.js';
import { KINDS, type KindHandler, type KindState, type ListField, type Placement } from './kinds.js';

export interface KubeReaderOptions {
  kubeconfig: KubeConfig;
  namespace: string | null;
  recheckSeconds: number;
  metricsIntervalSeconds: number;
  watchTimeoutSeconds: number;
  /** How long each VMI's freeze/unfreeze times are kept (--kube.freeze-history). */
  freezeHistorySeconds: number;
  /** Unix seconds; injected by tests. */
  clock?: () => number;
}

/** One kind's part of the section, reused while the kind had no watch event and nothing the watch added changed. */
interface Share {
  events: number;
  epoch: number | null;
  lists: Partial<Record<ListField, unknown[]>>;
  problems: string[];
}

/** The informer stores entries in place of the objects. */
const asCached = (e: Entry) => e as unknown as KubernetesObject;

export class KubeReader {
  private readonly caches = new Map<ResourceKind, ResourceCache>();
  private readonly state: KindState;
  /** Watch events seen per resource; a resource without new ones (and no change the watch added) reuses its share. */
  private readonly versions = new Map<ResourceKind, number>();
  private readonly shares = new Map<ResourceKind, Share>();
  private readonly lists = new Map<ListField, { from: unknown[][]; list: unknown[] }>();
  private readonly clock: () => number;
  private readonly server: string;

  constructor(
    private readonly opts: KubeReaderOptions,
    log: Logger,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    const kc = opts.kubeconfig;
    this.server = kc.getCurrentCluster()?.server ?? '';
    const custom = kc.makeApiClient(CustomObjectsApi);
    this.state = {
      freeze: new FreezeTracker(opts.freezeHistorySeconds),
      ooms: new OomTracker(),
      statuses: new StatusTracker(),
      metrics: new PodMetricsPoller(custom, opts.namespace, opts.metricsIntervalSeconds, log),
    };
    for (const spec of WATCHED) {
      const cache = new ResourceCache(
        spec,
        kc,
        {
          namespace: opts.namespace,
          recheckSeconds: opts.recheckSeconds,
          watchTimeoutSeconds: opts.watchTimeoutSeconds,
          list: () => listResource(spec, opts.namespace, kc, (o) => asCached(cacheEntry(spec, o))),
          project: (o) => asCached(cacheEntry(spec, o)),
        },
        { upsert: (o) => this.observe(spec.kind, o as unknown as Entry), remove: (o) => this.forget(spec.kind, o) },
        log,
      );
      this.caches.set(spec.kind, cache);
    }
    for (const cache of this.caches.values()) cache.start();
    this.state.metrics.start();
  }

  /** Watch events: what needs history is recorded here, deduplicated by resourceVersion. */
  private observe(kind: ResourceKind, o: Entry): void {
    this.versions.set(kind, (this.versions.get(kind) ?? 0) + 1);
    if (o.facts === UNREAD) return;
    const handler = KINDS[kind];
    const now = this.clock();
    handler.observe?.(this.state, o.metadata.uid, o.metadata.resourceVersion ?? '', o.facts, now);
    // Told once: the cache need not keep them.
    o.facts = UNREAD;
    // The new version's record is made now, as its event arrives, not by the next collection: a collection then
    // only places records (it asks again only what `shareOf` says may have changed since). What fails here is
    // made, and reported, by the collection (the entry is new: it has no record until one is made).
    if (handler.watched && o.problem === null) {
      try {
        recordOf(this.state, handler, o, now);
      } catch {
        // Left without a record.
      }
    }
  }

  private forget(kind: ResourceKind, o: KubernetesObject): void {
    this.versions.set(kind, (this.versions.get(kind) ?? 0) + 1);
    KINDS[kind].forget?.(this.state, o.metadata?.uid ?? '');
  }

  async read(signal: AbortSignal): Promise<KubeSection> {
    await this.waitSettled(signal);
    const failing = [...this.caches.values()].flatMap((c) => {
      const err = c.standingError();
      return err === null ? [] : [{ optional: c.spec.optional === true, line: `${c.spec.resource}: ${err}` }];
    });
    const down = failing.filter((f) => !f.optional).map((f) => f.line);
    if (down.length > 0) throw new Error(`watch caches not current (${down.join('; ')})`);
    const now = this.clock();
    // An add-on's CRD we cannot read is one unavailable resource (and a problem), not a down collector.
    const problems: string[] = failing.filter((f) => f.optional).map((f) => `${f.line}; its objects are not reported`);
    const metricsProblem = this.state.metrics.problem();
    if (metricsProblem) problems.push(metricsProblem);
    const section: KubeSection = {
      server: this.server,
      namespace: this.opts.namespace,
      resources: [...[...this.caches.values()].map((c) => c.status()), this.state.metrics.status()],
      deleting: [],
      vms: [],
      vmis: [],
      pods: [],
      backups: [],
      pvVolumeHandles: [],
      keepMarkers: [],
      pvs: [],
      pvcs: [],
      claimUsers: [],
      migrations: [],
      vmSnapshots: [],
      longhornOrphans: [],
      longhornVolumes: [],
      problems,
    };
    const parts = new Map<ListField, unknown[][]>();
    for (const cache of this.caches.values()) {
      const share = this.shareOf(cache, now);
      for (const p of share.problems) problems.push(p);
      for (const field of Object.keys(share.lists) as ListField[]) {
        const list = share.lists[field] as unknown[];
        const got = parts.get(field);
        if (got) got.push(list);
        else parts.set(field, [list]);
      }
    }
    const lists = section as unknown as Record<ListField, unknown[]>;
    for (const [field, from] of parts) lists[field] = this.joined(field, from);
    return section;
  }

  /**
   * A section list made of the kinds' shares: the same array as last collection's while the shares are the same,
   * so what is derived from a list (an index by uid) can be kept by its identity until the list changes.
   */
  private joined(field: ListField, from: unknown[][]): unknown[] {
    const last = this.lists.get(field);
    if (last && last.from.length === from.length && last.from.every((f, i) => f === from[i])) return last.list;
    const list = from.length === 1 ? [...(from[0] as unknown[])] : ([] as unknown[]).concat(...from);
    this.lists.set(field, { from, list });
    return list;
  }

  /**
   * One kind's part of the section: the last collection's while the kind had no watch event, its `watchedEpoch`
   * is unchanged and no object's watch-derived value changed without one; else a walk of its cache, where an
   * object whose entry is the one of its last record, and whose watch-derived value is not asked again or is the
   * same, places the same records (the same objects, so their series lines stay cached).
   */
  private shareOf(cache: ResourceCache, now: number): Share {
    const kind = cache.spec.kind;
    const handler = KINDS[kind];
    const events = this.versions.get(kind) ?? 0;
    const epoch = handler.watchedEpoch ? handler.watchedEpoch(this.state, now) : 0;
    const changed = handler.changedWithoutEvent ? handler.changedWithoutEvent(this.state, now) : NOTHING_CHANGED;
    const last = this.shares.get(kind);
    if (last && last.events === events && epoch !== null && last.epoch === epoch && changed.size === 0) return last;
    // Every object is asked when the epoch moved; else those with a new version (no record yet) and `changed`.
    const askAll = !last || epoch === null || last.epoch !== epoch;
    const share: Share = { events, epoch, lists: {}, problems: [] };
    const add = (p: Placement) => (share.lists[p.field] ??= []).push(p.item);
    for (const o of cache.list() as unknown as Entry[]) {
      if (o.problem !== null) {
        share.problems.push(o.problem);
        continue;
      }
      if (!handler.watched) {
        for (const p of o.placed) add(p);
        continue;
      }
      try {
        const rec =
          o.recorded === undefined || askAll || changed.has(o.metadata.uid)
            ? recordOf(this.state, handler, o, now)
            : o.recorded;
        for (const p of rec.placements) add(p);
      } catch (e: unknown) {
        share.problems.push(`${cache.spec.resource} ${o.metadata.namespace}/${o.metadata.name}: ${describeError(e)}`);
      }
    }
    this.shares.set(kind, share);
    return share;
  }

  /** The first collection waits for the initial lists (bounded by the collector timeout). */
  private async waitSettled(signal: AbortSignal): Promise<void> {
    // The first metrics.k8s.io answer too: before it, the metrics API would be reported available whether
    // it is served or not.
    while (![...this.caches.values()].every((c) => c.settled()) || !this.state.metrics.settled()) {
      if (signal.aborted)
        throw signal.reason instanceof Error ? signal.reason : new Error('aborted while waiting for the initial lists');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.state.metrics.close();
    await Promise.all([...this.caches.values()].map((c) => c.close()));
  }
}

const NOTHING_CHANGED: ReadonlySet<string> = new Set();

/** Asks the kind what the watch adds to the object; its record is made anew only when that differs. */
function recordOf(state: KindState, handler: KindHandler<unknown, unknown>, o: Entry, now: number): Recorded {
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
