// virt-handler working sets from metrics.k8s.io, read in the background every
// --kube.metrics-interval (the metrics API cannot be watched). A scrape only reads the last result.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeResourceStatus } from '../../snapshot/kube.js';
import type { Logger } from '../../util/log.js';
import { POD_METRICS } from './resources.js';
import { podMetricsMemory } from './parse-objects.js';
import { describeKubeError, kubeStatusCode } from './kube-errors.js';

export class PodMetricsPoller {
  private bytes = new Map<string, number>();
  /** Changes whenever a poll changed the working sets, so a collection knows to look them up again. */
  private polls = 0;
  private available = true;
  private read = false;
  /** The first poll has finished, whatever its outcome: until then `available` is a guess. */
  private answered = false;
  private error: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly api: CustomObjectsApi,
    private readonly namespace: string | null,
    private readonly intervalSeconds: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.poll();
  }

  private async poll(): Promise<void> {
    const { group, version, plural, labelSelector } = POD_METRICS;
    try {
      const list: unknown = this.namespace
        ? await this.api.listNamespacedCustomObject({
            group,
            version,
            plural,
            namespace: this.namespace,
            labelSelector: labelSelector as string,
          })
        : await this.api.listClusterCustomObject({ group, version, plural, labelSelector: labelSelector as string });
      const items = (list as { items?: unknown }).items;
      const next = new Map<string, number>();
      for (const item of Array.isArray(items) ? items : []) {
        const md = (item as { metadata?: { namespace?: string; name?: string } }).metadata;
        const value = podMetricsMemory(item, 'virt-handler');
        if (md?.name && value !== null) next.set(`${md.namespace ?? ''}/${md.name}`, value);
      }
      if (!sameEntries(this.bytes, next)) this.polls++;
      this.bytes = next;
      this.available = true;
      this.read = true;
      this.error = null;
    } catch (e: unknown) {
      if (kubeStatusCode(e) === 404) {
        if (this.available) this.log.info('metrics.k8s.io not served: no virt-handler working set', {});
        this.available = false;
        if (this.bytes.size > 0) this.polls++;
        this.bytes = new Map();
        this.error = null;
      } else {
        this.error = describeKubeError(e);
      }
    }
    this.answered = true;
    if (!this.closed) {
      this.timer = setTimeout(() => void this.poll(), this.intervalSeconds * 1000);
      this.timer.unref();
    }
  }

  settled(): boolean {
    return this.answered;
  }

  /** A number that changes with every poll that changed the working sets. */
  version(): number {
    return this.polls;
  }

  workingSet(namespace: string, name: string): number | null {
    return this.bytes.get(`${namespace}/${name}`) ?? null;
  }

  /** Problems of the metrics API do not fail the collector: it is an optional extra. */
  problem(): string | null {
    return this.error === null ? null : `${POD_METRICS.resource}: ${this.error}`;
  }

  status(): KubeResourceStatus {
    return {
      resource: POD_METRICS.resource,
      available: this.available,
      synced: this.read,
      objects: this.bytes.size,
      error: this.error,
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

function sameEntries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
