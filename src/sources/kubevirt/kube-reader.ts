// The cluster agent's reader: one watch cache per watched resource, kept by @kubernetes/client-node
// informers created here, and the history only the watch can know (kinds.ts). A collection reads
// the caches and what the watch observed; it never lists the API server.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeSection } from '../../snapshot/kube.js';
import type { Logger } from '../../util/log.js';
import { WATCHED, type ResourceKind } from './resources.js';
import { ResourceCache } from './resource-cache.js';
import { PodMetricsPoller } from './pod-metrics.js';
import { FreezeTracker, OomTracker, StatusTracker } from './trackers.js';
import { UNREAD, cacheEntry, type Entry } from './cache-entry.js';
import { listResource } from './list-pages.js';
import { KINDS, type KindState, type ListField } from './kinds.js';
import { KindShare, recordOf } from './kind-share.js';

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

/** The informer stores entries in place of the objects. */
const asCached = (e: Entry) => e as unknown as KubernetesObject;

export class KubeReader {
  private readonly caches = new Map<ResourceKind, ResourceCache>();
  private readonly state: KindState;
  /** Each kind's part of the section, patched by its watch events. */
  private readonly shares = new Map<ResourceKind, KindShare>();
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
      const handler = KINDS[spec.kind];
      this.shares.set(spec.kind, new KindShare(spec, handler, (uid) => handler.forget?.(this.state, uid)));
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
    this.shareOf(kind).upsert(o);
    if (o.facts === UNREAD) return;
    const handler = KINDS[kind];
    const now = this.clock();
    handler.observe?.(this.state, o.metadata.uid, o.metadata.resourceVersion ?? '', o.facts, now);
    // Told once: the cache need not keep them.
    o.facts = UNREAD;
    // The new version's record is made now, as its event arrives, not by the next collection: a collection then
    // only places records (it asks again only what the kind says may have changed since). What fails here is
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
    this.shareOf(kind).remove(o);
    KINDS[kind].forget?.(this.state, o.metadata?.uid ?? '');
  }

  private shareOf(kind: ResourceKind): KindShare {
    return this.shares.get(kind) as KindShare;
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
      // A cache that has not listed, or whose resource is not served, has no objects in its share.
      const share = this.shareOf(cache.spec.kind).collect(this.state, now);
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
    // A share's list is never changed once made (a change makes a new one): one kind's can be the section's.
    const list = from.length === 1 ? (from[0] as unknown[]) : ([] as unknown[]).concat(...from);
    this.lists.set(field, { from, list });
    return list;
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
