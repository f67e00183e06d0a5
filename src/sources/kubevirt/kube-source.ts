// kube source (cluster mode): watch caches of KubeVirt VMs and VMIs, kubevirt.io pods, PVCs,
// Harvester VM backups, Longhorn backups and CDI DataVolumes, kept by @kubernetes/client-node
// informers created here. A collection reads the caches and what the watch observed; it never
// lists the API server.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { knob } from '../../config/flags.js';
import type { KubeBackup, KubePod, KubeSection, KubeVm, KubeVmi, DeletingObject } from '../../snapshot/kube.js';
import type { SourceDefinition } from '../source.js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/fs-errors.js';
import { WATCHED, type ResourceKind, type ResourceSpec } from './resources.js';
import { csiVolumeHandle } from './pv-handles.js';
import { ResourceCache } from './resource-cache.js';
import { kubeSourceMeta } from './kube-source-meta.js';
import { PodMetricsPoller } from './pod-metrics.js';
import { FreezeTracker, OomTracker, StatusTracker } from './trackers.js';
import {
  containerTerminations,
  deletingObject,
  parseLonghornBackup,
  parseMeta,
  parsePod,
  parseVm,
  parseVmBackup,
  parseVmiFields,
  type Meta,
  type VmiFields,
} from './parse-objects.js';

export interface KubeReaderOptions {
  kubeconfig: KubeConfig;
  namespace: string | null;
  recheckSeconds: number;
  metricsIntervalSeconds: number;
  watchTimeoutSeconds: number;
  freezeWindowSeconds: number;
  /** Unix seconds; injected by tests. */
  clock?: () => number;
}

type List = KubernetesListObject<KubernetesObject>;

/** What an object's resourceVersion fixes; the watch-derived parts are added per collection. */
interface Parsed {
  rv: string;
  meta: Meta;
  deleting: DeletingObject | null;
  base: KubeVm | VmiFields | ReturnType<typeof parsePod> | KubeBackup | null;
}

export class KubeReader {
  private readonly caches = new Map<ResourceKind, ResourceCache>();
  private readonly metrics: PodMetricsPoller;
  private readonly freeze: FreezeTracker;
  private readonly ooms = new OomTracker();
  private readonly statuses = new StatusTracker();
  private readonly parseCache = new Map<string, Parsed>();
  private readonly clock: () => number;
  private readonly server: string;

  constructor(
    private readonly opts: KubeReaderOptions,
    log: Logger,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.freeze = new FreezeTracker(opts.freezeWindowSeconds);
    const kc = opts.kubeconfig;
    this.server = kc.getCurrentCluster()?.server ?? '';
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    for (const spec of WATCHED) {
      const cache = new ResourceCache(
        spec,
        kc,
        {
          namespace: opts.namespace,
          recheckSeconds: opts.recheckSeconds,
          watchTimeoutSeconds: opts.watchTimeoutSeconds,
          list: () => listFn(spec, opts.namespace, core, custom),
        },
        { upsert: (o) => this.observe(spec.kind, o), remove: (o) => this.forget(spec.kind, o) },
        log,
      );
      this.caches.set(spec.kind, cache);
    }
    this.metrics = new PodMetricsPoller(custom, opts.namespace, opts.metricsIntervalSeconds, log);
    for (const cache of this.caches.values()) cache.start();
    this.metrics.start();
  }

  /** Watch events: what needs history is recorded here, deduplicated by resourceVersion. */
  private observe(kind: ResourceKind, o: KubernetesObject): void {
    const uid = o.metadata?.uid ?? '';
    const rv = o.metadata?.resourceVersion ?? '';
    const now = this.clock();
    if (kind === 'vmi') this.freeze.observe(uid, rv, parseVmiFields(o).fsFreezeStatus, now);
    else if (kind === 'pod') this.ooms.observe(uid, rv, containerTerminations(o));
    else if (kind === 'vm')
      this.statuses.observe(uid, (o as { status?: { printableStatus?: string } }).status?.printableStatus ?? null, now);
  }

  private forget(kind: ResourceKind, o: KubernetesObject): void {
    const uid = o.metadata?.uid ?? '';
    this.parseCache.delete(`${kind}\u0000${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    if (kind === 'vmi') this.freeze.forget(uid);
    else if (kind === 'pod') this.ooms.forget(uid);
    else if (kind === 'vm') this.statuses.forget(uid);
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
    const metricsProblem = this.metrics.problem();
    if (metricsProblem) problems.push(metricsProblem);
    const section: KubeSection = {
      server: this.server,
      namespace: this.opts.namespace,
      resources: [...[...this.caches.values()].map((c) => c.status()), this.metrics.status()],
      deleting: [],
      vms: [],
      vmis: [],
      pods: [],
      backups: [],
      pvVolumeHandles: [],
      problems,
    };
    for (const cache of this.caches.values()) {
      for (const o of cache.list()) {
        try {
          this.record(section, cache.spec, o, now);
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
    const base =
      spec.kind === 'vm'
        ? parseVm(o, null)
        : spec.kind === 'vmi'
          ? parseVmiFields(o)
          : spec.kind === 'pod'
            ? parsePod(o)
            : spec.kind === 'vmbackup'
              ? parseVmBackup(o)
              : spec.kind === 'lhbackup'
                ? parseLonghornBackup(o)
                : null;
    const value: Parsed = { rv, meta, deleting: deletingObject(spec.resource, meta), base };
    this.parseCache.set(key, value);
    return value;
  }

  private record(section: KubeSection, spec: ResourceSpec, o: KubernetesObject, now: number): void {
    const { meta, deleting, base } = this.parsed(spec, o);
    if (deleting) section.deleting.push(deleting);
    switch (spec.kind) {
      case 'vm': {
        const vm = base as KubeVm;
        section.vms.push({ ...vm, statusSince: this.statuses.observe(meta.uid, vm.printableStatus, now) });
        break;
      }
      case 'vmi': {
        const f = base as VmiFields;
        const vmi: KubeVmi = {
          namespace: meta.namespace,
          name: meta.name,
          uid: meta.uid,
          phase: f.phase,
          nodeName: f.nodeName,
          deletionTimestamp: meta.deletionTimestamp,
          fsFreezeStatus: f.fsFreezeStatus,
          ...this.freeze.view(meta.uid, now),
        };
        section.vmis.push(vmi);
        break;
      }
      case 'pod': {
        const pod: KubePod = {
          ...(base as ReturnType<typeof parsePod>),
          oomKillsTotal: this.ooms.count(meta.uid),
          memoryWorkingSetBytes: this.metrics.workingSet(meta.namespace, meta.name),
        };
        section.pods.push(pod);
        break;
      }
      case 'vmbackup':
      case 'lhbackup':
        section.backups.push(base as KubeBackup);
        break;
      case 'pv': {
        const handle = csiVolumeHandle(o);
        if (handle) section.pvVolumeHandles?.push({ name: meta.name, ...handle });
        break;
      }
      case 'pvc':
      case 'datavolume':
        break;
    }
  }

  /** The first collection waits for the initial lists (bounded by the collector timeout). */
  private async waitSettled(signal: AbortSignal): Promise<void> {
    while (![...this.caches.values()].every((c) => c.settled())) {
      if (signal.aborted)
        throw signal.reason instanceof Error ? signal.reason : new Error('aborted while waiting for the initial lists');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.metrics.close();
    await Promise.all([...this.caches.values()].map((c) => c.close()));
  }
}

/** Page size of the initial lists (and relists), as client-go's reflector pages them. */
export const LIST_PAGE_SIZE = 500;

function listFn(
  spec: ResourceSpec,
  namespace: string | null,
  core: CoreV1Api,
  custom: CustomObjectsApi,
): Promise<List> {
  const sel = spec.labelSelector === undefined ? {} : { labelSelector: spec.labelSelector };
  return listAllPages((cont) => {
    const paging = { ...sel, limit: LIST_PAGE_SIZE, ...(cont ? { _continue: cont } : {}) };
    if (spec.group === '') {
      if (spec.plural === 'persistentvolumes') return core.listPersistentVolume(paging) as Promise<List>;
      if (spec.plural === 'pods') {
        return (
          namespace ? core.listNamespacedPod({ namespace, ...paging }) : core.listPodForAllNamespaces(paging)
        ) as Promise<List>;
      }
      return (
        namespace
          ? core.listNamespacedPersistentVolumeClaim({ namespace, ...paging })
          : core.listPersistentVolumeClaimForAllNamespaces(paging)
      ) as Promise<List>;
    }
    const base = { group: spec.group, version: spec.version, plural: spec.plural, ...paging };
    return (
      namespace ? custom.listNamespacedCustomObject({ ...base, namespace }) : custom.listClusterCustomObject(base)
    ) as Promise<List>;
  });
}

/**
 * Follows `continue` tokens until the list is complete. Every page comes from the snapshot of the
 * first, whose resourceVersion the watch starts from. An expired token (410) fails the list, and
 * the cache's retry lists again from the start.
 */
export async function listAllPages(page: (cont: string | undefined) => Promise<List>): Promise<List> {
  const first = await page(undefined);
  const items = [...(first.items ?? [])];
  let cont = continueOf(first);
  for (let pages = 1; cont; pages++) {
    if (pages >= 100000) throw new Error('list did not end after 100000 pages');
    const next = await page(cont);
    items.push(...(next.items ?? []));
    cont = continueOf(next);
  }
  return { ...first, items };
}

/** The typed (core) lists name it `_continue`; raw custom-object lists keep the wire name. */
function continueOf(list: List): string | undefined {
  const md = list.metadata as { _continue?: string; continue?: string } | undefined;
  return md?._continue || md?.continue || undefined;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export const kubeSource: SourceDefinition<'kubevirt'> = {
  ...kubeSourceMeta,
  create(config, log, env = {}) {
    let kubeconfig: KubeConfig;
    try {
      kubeconfig = loadKubeConfig(config['kube.config']);
    } catch (e: unknown) {
      // A broken kubeconfig marks this collector down with the reason; it does not stop the exporter.
      const reason = new Error(`kubeconfig ${config['kube.config'] || '(default)'}: ${describeError(e)}`);
      return { collect: () => Promise.reject(reason), close: () => Promise.resolve() };
    }
    const reader = new KubeReader(
      {
        kubeconfig,
        namespace: config['kube.namespace'] || null,
        recheckSeconds: config['kube.recheck-interval'],
        metricsIntervalSeconds: config['kube.metrics-interval'],
        watchTimeoutSeconds: config['kube.watch-timeout'],
        freezeWindowSeconds: knob(config, 'detect.freeze-window'),
        ...(env.clock ? { clock: env.clock } : {}),
      },
      log,
    );
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
