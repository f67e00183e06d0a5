// The cluster agent's reader: one watch cache per watched resource, kept by @kubernetes/client-node
// informers created here, and the history only the watch can know (kinds.ts). A collection reads
// the caches and what the watch observed; it never lists the API server.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { DeletingObject, KubeSection } from '../../snapshot/kube.js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/fs-errors.js';
import { WATCHED, type ResourceKind, type ResourceSpec } from './resources.js';
import { ResourceCache } from './resource-cache.js';
import { PodMetricsPoller } from './pod-metrics.js';
import { FreezeTracker, OomTracker, StatusTracker } from './trackers.js';
import { deletingObject, parseMeta, type Meta } from './parse-objects.js';
import { listResource } from './list-pages.js';
import { KINDS, type KindState } from './kinds.js';

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

/** What an object's resourceVersion fixes; the watch-derived parts are added per collection. */
interface Parsed {
  meta: Meta;
  deleting: DeletingObject | null;
  base: unknown;
}

/** One cached object as a collection uses it: parsed, or why it could not be. */
type Row = { parsed: Parsed; problem: null } | { parsed: null; problem: string };

export class KubeReader {
  private readonly caches = new Map<ResourceKind, ResourceCache>();
  private readonly state: KindState;
  // Keyed by the cached object itself: the informer replaces an object when its resourceVersion
  // changes and keeps it otherwise, so an entry lives exactly as long as that version is cached.
  private readonly parseCache = new WeakMap<KubernetesObject, Parsed>();
  /** Watch events seen per resource; a resource without new ones reuses its rows (`rowsOf`). */
  private readonly versions = new Map<ResourceKind, number>();
  private readonly rows = new Map<ResourceKind, { version: number; rows: Row[] }>();
  private readonly clock: () => number;
  private readonly server: string;

  constructor(
    private readonly opts: KubeReaderOptions,
    log: Logger,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    const kc = opts.kubeconfig;
    this.server = kc.getCurrentCluster()?.server ?? '';
    const core = kc.makeApiClient(CoreV1Api);
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
          list: () => listResource(spec, opts.namespace, core, custom, KINDS[spec.kind].project),
          ...(KINDS[spec.kind].project ? { project: KINDS[spec.kind].project } : {}),
        },
        { upsert: (o) => this.observe(spec.kind, o), remove: (o) => this.forget(spec.kind, o) },
        log,
      );
      this.caches.set(spec.kind, cache);
    }
    for (const cache of this.caches.values()) cache.start();
    this.state.metrics.start();
  }

  /** Watch events: what needs history is recorded here, deduplicated by resourceVersion. */
  private observe(kind: ResourceKind, o: KubernetesObject): void {
    this.versions.set(kind, (this.versions.get(kind) ?? 0) + 1);
    KINDS[kind].observe?.(this.state, o, this.clock());
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
    for (const cache of this.caches.values()) {
      const handler = KINDS[cache.spec.kind];
      for (const row of this.rowsOf(cache)) {
        if (row.parsed === null) {
          problems.push(row.problem);
          continue;
        }
        const { meta, deleting, base } = row.parsed;
        try {
          if (deleting) section.deleting.push(deleting);
          if (meta.keep)
            section.keepMarkers?.push({
              resource: cache.spec.resource,
              namespace: meta.namespace,
              name: meta.name,
              keep: meta.keep,
            });
          handler.record(section, this.state, meta, base, now);
        } catch (e: unknown) {
          problems.push(`${cache.spec.resource} ${meta.namespace}/${meta.name}: ${describeError(e)}`);
        }
      }
    }
    return section;
  }

  /**
   * The cache's objects, parsed: rebuilt after the resource's watch events (every change to a cache
   * comes with one), else the previous collection's, so an unchanged resource of 30 000 objects costs
   * no walk of the informer's maps and no lookups.
   */
  private rowsOf(cache: ResourceCache): Row[] {
    const kind = cache.spec.kind;
    const version = this.versions.get(kind) ?? 0;
    const memo = this.rows.get(kind);
    if (memo && memo.version === version) return memo.rows;
    const rows: Row[] = [];
    for (const o of cache.list()) {
      try {
        rows.push({ parsed: this.parsed(cache.spec, o), problem: null });
      } catch (e: unknown) {
        const where = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? '?'}`;
        rows.push({ parsed: null, problem: `${cache.spec.resource} ${where}: ${describeError(e)}` });
      }
    }
    this.rows.set(kind, { version, rows });
    return rows;
  }

  /** Parses an object once per resourceVersion; collections reuse the result until it changes. */
  private parsed(spec: ResourceSpec, o: KubernetesObject): Parsed {
    const hit = this.parseCache.get(o);
    if (hit) return hit;
    const meta = parseMeta(o);
    const base = KINDS[spec.kind].parse(o);
    const value: Parsed = { meta, deleting: deletingObject(spec.resource, meta), base };
    this.parseCache.set(o, value);
    return value;
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
