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
  rv: string;
  meta: Meta;
  deleting: DeletingObject | null;
  base: unknown;
}

export class KubeReader {
  private readonly caches = new Map<ResourceKind, ResourceCache>();
  private readonly state: KindState;
  private readonly parseCache = new Map<string, Parsed>();
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
    KINDS[kind].observe?.(this.state, o, this.clock());
  }

  private forget(kind: ResourceKind, o: KubernetesObject): void {
    this.parseCache.delete(`${kind}\u0000${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
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
      pvs: [],
      pvcs: [],
      claimUsers: [],
      migrations: [],
      vmSnapshots: [],
      longhornOrphans: [],
      problems,
    };
    for (const cache of this.caches.values()) {
      for (const o of cache.list()) {
        try {
          const { meta, deleting, base } = this.parsed(cache.spec, o);
          if (deleting) section.deleting.push(deleting);
          KINDS[cache.spec.kind].record(section, this.state, meta, base, now);
        } catch (e: unknown) {
          problems.push(
            `${cache.spec.resource} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? '?'}: ${describeError(e)}`,
          );
        }
      }
    }
    return section;
  }

  /** Parses an object once per resourceVersion; collections reuse the result until it changes. */
  private parsed(spec: ResourceSpec, o: KubernetesObject): Parsed {
    const key = `${spec.kind}\u0000${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const rv = o.metadata?.resourceVersion ?? '';
    const hit = this.parseCache.get(key);
    if (hit && rv !== '' && hit.rv === rv) return hit;
    const meta = parseMeta(o);
    const base = KINDS[spec.kind].parse(o);
    const value: Parsed = { rv, meta, deleting: deletingObject(spec.resource, meta), base };
    this.parseCache.set(key, value);
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
