// One watched resource: a ListWatch (list, then watch from its resourceVersion, relist on 410) of
// @kubernetes/client-node, restarted after errors, rebuilt when its CRD is not installed (404) and
// looked for again every --kube.recheck-interval. Its add, update and delete callbacks feed the reader, which keeps
// each kind's part of the section from them; a scrape never lists the server.
import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeResourceStatus } from '../../snapshot/kube.js';
import type { Logger } from '../../util/log.js';
import type { ResourceSpec } from './resources.js';
import { resourcePath } from './resources.js';
import { describeKubeError, kubeStatusCode } from './kube-errors.js';

export interface CacheEvents {
  upsert(obj: KubernetesObject): void;
  remove(obj: KubernetesObject): void;
}

export interface ResourceCacheOptions {
  namespace: string | null;
  recheckSeconds: number;
  watchTimeoutSeconds: number;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  /** What the cache stores of each watched object (the list applies it itself); the whole object when absent. */
  project?: (o: KubernetesObject) => KubernetesObject;
}

/** A Watch that asks for bookmarks and a server-side timeout, and reports each watch it opened. */
class ReportingWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly timeoutSeconds: number,
    private readonly opened: () => void,
    private readonly project?: (o: KubernetesObject) => KubernetesObject,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    let failed = false;
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: Math.max(1, Math.round(this.timeoutSeconds)) },
      this.project
        ? (phase, apiObj, watchObj) =>
            callback(
              phase,
              phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED'
                ? (this.project as (o: KubernetesObject) => KubernetesObject)(apiObj as KubernetesObject)
                : apiObj,
              watchObj,
            )
        : callback,
      (err: unknown) => {
        if (err) failed = true;
        done(err);
      },
    );
    if (!failed) this.opened();
    return controller;
  }
}

/**
 * Retry delay after consecutive failures: the first retry is immediate (a dropped watch is
 * routine), then exponential up to 8 s with jitter between half and all of it, so the exporters
 * of a fleet do not hit a recovering API server in step.
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  if (failures <= 1) return 0;
  const ceiling = Math.min(500 * 2 ** (failures - 2), 8000);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

export class ResourceCache {
  private informer: ListWatch<KubernetesObject>;
  private available = true;
  private synced = false;
  private failures = 0;
  private error: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Objects in the informer's cache, counted from its events (its list() copies every object to count them). */
  private objects = 0;

  constructor(
    readonly spec: ResourceSpec,
    private readonly kc: KubeConfig,
    private readonly opts: ResourceCacheOptions,
    private readonly events: CacheEvents,
    private readonly log: Logger,
  ) {
    this.informer = this.makeInformer();
  }

  private makeInformer(): ListWatch<KubernetesObject> {
    const watch = new ReportingWatch(this.kc, this.opts.watchTimeoutSeconds, () => this.succeeded(), this.opts.project);
    const list = async () => {
      const result = await this.opts.list();
      this.available = true;
      this.synced = true;
      this.succeeded();
      return result;
    };
    const informer = new ListWatch<KubernetesObject>(
      resourcePath(this.spec, this.opts.namespace),
      watch,
      list,
      false,
      this.spec.labelSelector,
    );
    this.objects = 0;
    // Only the current informer's: one replaced after a 404 has had its objects removed and says no more.
    const current = () => informer === this.informer;
    informer.on('add', (o) => {
      if (!current()) return;
      this.objects++;
      this.events.upsert(o);
    });
    informer.on('update', (o) => {
      if (current()) this.events.upsert(o);
    });
    informer.on('delete', (o) => {
      if (!current()) return;
      this.objects--;
      this.events.remove(o);
    });
    informer.on('error', (e: unknown) => this.failed(informer, e));
    return informer;
  }

  start(): void {
    void this.informer.start().catch((e: unknown) => this.failed(this.informer, e));
  }

  private succeeded(): void {
    if (this.failures > 1) this.log.info('kube watch recovered', { resource: this.spec.resource });
    this.failures = 0;
    this.error = null;
  }

  private failed(informer: ListWatch<KubernetesObject>, e: unknown): void {
    if (this.closed || informer !== this.informer) return;
    if (kubeStatusCode(e) === 404) {
      // Not installed: forget what we had, look again later with a fresh cache.
      if (this.available)
        this.log.info('kube resource not served, checking again later', { resource: this.spec.resource });
      for (const o of informer.list()) this.events.remove(o);
      void informer.stop();
      this.available = false;
      this.synced = false;
      this.failures = 0;
      this.error = null;
      this.schedule(this.opts.recheckSeconds * 1000, true);
      return;
    }
    this.failures++;
    this.error = describeKubeError(e);
    if (this.failures === 2) this.log.warn('kube watch failing', { resource: this.spec.resource, error: this.error });
    this.schedule(retryDelayMs(this.failures), false);
  }

  private schedule(ms: number, fresh: boolean): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      if (fresh) this.informer = this.makeInformer();
      this.start();
    }, ms);
    this.timer.unref();
  }

  /** Synced, known to be absent, or failing after its immediate retry: a collection can report it. */
  settled(): boolean {
    return this.synced || !this.available || this.failures >= 2;
  }

  /** An error worth reporting: the immediate retry failed too, or it never listed. */
  standingError(): string | null {
    if (!this.available) return null;
    if (this.failures >= 2) return this.error;
    if (!this.synced) return this.error ?? 'initial list not finished';
    return null;
  }

  status(): KubeResourceStatus {
    const error = this.standingError();
    // An optional resource that cannot be read (403, 500) is unavailable; a required one takes the
    // collector down instead.
    const available = this.available && !(this.spec.optional && error !== null);
    const objects = this.available && this.synced ? this.objects : 0;
    return { resource: this.spec.resource, available, synced: this.synced, objects, error };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.informer.stop();
  }
}
