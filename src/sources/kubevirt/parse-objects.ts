// Pure parsers from Kubernetes objects (as the list returns them, typed with Date fields, or as the
// watch streams them, plain JSON) to the records of the kube section. Unknown shapes give nulls or
// a thrown Error with the field's name, never a silent wrong value.
import type { DeletingObject, KubeBackup, KubePod, KubeVm } from '../../snapshot/kube.js';
import type { ResourceKeep } from '../../snapshot/keep.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function field(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
export function strOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
export function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** RFC 3339 string or Date (the typed list deserializes timestamps) to Unix seconds; null when absent. */
export function timestampSeconds(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`unreadable timestamp ${JSON.stringify(v)}`);
  return ms / 1000;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A resource.Quantity ("1600Mi", "325Mi", "1.5Gi", "128974848", "129e6", "500m") to a number. */
export function parseQuantity(text: string): number {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(
    text.trim(),
  );
  if (!m) throw new Error(`unreadable quantity "${text}"`);
  const n = Number(m[1]);
  if (m[2]) return n * (BINARY[m[2]] as number);
  if (m[3]) return Number(`${m[1]}${m[3]}`);
  return n * (DECIMAL[m[4] ?? ''] as number);
}

export function quantityOrNull(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v === '') return null;
  return parseQuantity(v);
}

export interface Meta {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  deletionTimestamp: number | null;
  finalizers: string[];
  /** The keep marker its annotations carry (KEEP_ANNOTATION), null when it has none. */
  keep: ResourceKeep | null;
}

/** `vmzombie.io/keep: <reason>`, with `vmzombie.io/keep-by` (required) and `vmzombie.io/keep-until` (optional). */
export const KEEP_ANNOTATION = 'vmzombie.io/keep';

/** The keep marker in an object's annotations; any other `vmzombie.io/keep-…` annotation makes it malformed. */
export function keepAnnotations(annotations: unknown): ResourceKeep | null {
  if (!isObj(annotations)) return null;
  let keep: ResourceKeep | null = null;
  for (const [k, v] of Object.entries(annotations)) {
    if (k !== KEEP_ANNOTATION && !k.startsWith(`${KEEP_ANNOTATION}-`)) continue;
    keep ??= { reason: null, who: null, until: null, unknown: [] };
    const value = typeof v === 'string' ? v : '';
    if (k === KEEP_ANNOTATION) keep.reason = value;
    else if (k === `${KEEP_ANNOTATION}-by`) keep.who = value;
    else if (k === `${KEEP_ANNOTATION}-until`) keep.until = value;
    else keep.unknown.push(k);
  }
  return keep;
}

/**
 * An object's metadata already read, while `withMeta` runs: the cache entry reads it and then the kind's parse asks
 * again (87 100 objects at the start at 10 000 VMs). Only for that call, so an object changed later is read anew.
 */
let known: { of: unknown; meta: Meta } | null = null;

/** Runs `fn` with `o`'s metadata known to be `meta` (parseMeta(o) returns it without reading it again). */
export function withMeta<T>(o: unknown, meta: Meta, fn: () => T): T {
  const outer = known;
  known = { of: o, meta };
  try {
    return fn();
  } finally {
    known = outer;
  }
}

export function parseMeta(o: unknown): Meta {
  if (known !== null && known.of === o) return known.meta;
  return readMeta(o);
}

function readMeta(o: unknown): Meta {
  const md = field(o, 'metadata');
  const name = field(md, 'name');
  if (typeof name !== 'string' || name === '') throw new Error('object without metadata.name');
  const labels: Record<string, string> = {};
  const rawLabels = field(md, 'labels');
  if (isObj(rawLabels)) for (const [k, v] of Object.entries(rawLabels)) if (typeof v === 'string') labels[k] = v;
  return {
    namespace: strOrNull(field(md, 'namespace')) ?? '',
    name,
    uid: strOrNull(field(md, 'uid')) ?? '',
    resourceVersion: strOrNull(field(md, 'resourceVersion')) ?? '',
    labels,
    deletionTimestamp: timestampSeconds(field(md, 'deletionTimestamp')),
    finalizers: array(field(md, 'finalizers')).filter((f): f is string => typeof f === 'string'),
    keep: keepAnnotations(field(md, 'annotations')),
  };
}

export function deletingObject(resource: string, meta: Meta): DeletingObject | null {
  if (meta.deletionTimestamp === null) return null;
  return {
    resource,
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    deletionTimestamp: meta.deletionTimestamp,
    finalizers: meta.finalizers,
  };
}

export function parseVm(o: unknown, statusSince: number | null): KubeVm {
  const meta = parseMeta(o);
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    printableStatus: strOrNull(field(o, 'status', 'printableStatus')),
    statusSince,
    deletionTimestamp: meta.deletionTimestamp,
    finalizers: meta.finalizers,
  };
}

export function vmiFreezeStatus(o: unknown): string | null {
  return strOrNull(field(o, 'status', 'fsFreezeStatus'));
}

export interface VmiFields {
  phase: string;
  nodeName: string | null;
  fsFreezeStatus: string | null;
}
export function parseVmiFields(o: unknown): VmiFields {
  return {
    phase: strOrNull(field(o, 'status', 'phase')) ?? '',
    nodeName: strOrNull(field(o, 'status', 'nodeName')),
    fsFreezeStatus: vmiFreezeStatus(o),
  };
}

export interface ContainerTermination {
  name: string;
  restartCount: number;
  /** lastState.terminated.reason, null when the container never terminated. */
  lastTerminatedReason: string | null;
  /** Identifies one termination (containerID, else finishedAt), so it is counted once. */
  lastTerminatedKey: string | null;
}

export function containerTerminations(o: unknown): ContainerTermination[] {
  return array(field(o, 'status', 'containerStatuses')).map((cs) => {
    const terminated = field(cs, 'lastState', 'terminated');
    const finishedAt = field(terminated, 'finishedAt');
    const key =
      strOrNull(field(terminated, 'containerID')) ??
      (finishedAt instanceof Date ? finishedAt.toISOString() : strOrNull(finishedAt));
    const restarts = field(cs, 'restartCount');
    return {
      name: strOrNull(field(cs, 'name')) ?? '',
      restartCount: typeof restarts === 'number' ? restarts : 0,
      lastTerminatedReason: isObj(terminated) ? strOrNull(terminated.reason) : null,
      lastTerminatedKey: isObj(terminated) ? key : null,
    };
  });
}

/** The pod record without the watch-derived counter and the metrics-API value. */
export function parsePod(o: unknown): Omit<KubePod, 'oomKillsTotal' | 'memoryWorkingSetBytes'> {
  const meta = parseMeta(o);
  const component = meta.labels['kubevirt.io'] ?? '';
  const containers = array(field(o, 'spec', 'containers'));
  const main =
    containers.find((c) => field(c, 'name') === component) ??
    containers.find((c) => field(c, 'name') === 'compute') ??
    containers[0];
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    component,
    createdBy: meta.labels['kubevirt.io/created-by'] ?? null,
    vmName: meta.labels['vm.kubevirt.io/name'] ?? null,
    nodeName: strOrNull(field(o, 'spec', 'nodeName')),
    phase: strOrNull(field(o, 'status', 'phase')) ?? '',
    deletionTimestamp: meta.deletionTimestamp,
    restartsTotal: containerTerminations(o).reduce((sum, c) => sum + c.restartCount, 0),
    memoryLimitBytes: quantityOrNull(field(main, 'resources', 'limits', 'memory')),
    memoryRequestBytes: quantityOrNull(field(main, 'resources', 'requests', 'memory')),
  };
}

/** Working set of a PodMetrics item (metrics.k8s.io): the container named `container`, else the sum. */
export function podMetricsMemory(o: unknown, container: string): number | null {
  const containers = array(field(o, 'containers'));
  const named = containers.find((c) => field(c, 'name') === container);
  const pick = named ? [named] : containers;
  let total: number | null = null;
  for (const c of pick) {
    const q = quantityOrNull(field(c, 'usage', 'memory'));
    if (q !== null) total = (total ?? 0) + q;
  }
  return total;
}

function backupTarget(o: unknown): KubeBackup['backupTarget'] {
  const endpoint = strOrNull(field(o, 'status', 'backupTarget', 'endpoint'));
  const bucket = strOrNull(field(o, 'status', 'backupTarget', 'bucketName'));
  return endpoint === null && bucket === null ? null : { endpoint: endpoint ?? '', bucket: bucket ?? '' };
}

/** Harvester VirtualMachineBackup (harvesterhci.io/v1beta1). */
export function parseVmBackup(o: unknown): KubeBackup {
  const meta = parseMeta(o);
  const conditions = array(field(o, 'status', 'conditions'));
  const inProgress = conditions.find((c) => field(c, 'type') === 'InProgress');
  const conditionError =
    inProgress !== undefined && field(inProgress, 'status') === 'False' && field(inProgress, 'reason') === 'Error';
  const statusError = field(o, 'status', 'error');
  const errorMessage = strOrNull(field(statusError, 'message'));
  const inError = errorMessage !== null || isObj(statusError) || conditionError;
  const ready = field(o, 'status', 'readyToUse');
  return {
    resource: 'virtualmachinebackups.harvesterhci.io',
    namespace: meta.namespace,
    name: meta.name,
    source: strOrNull(field(o, 'spec', 'source', 'name')),
    state: inProgress ? strOrNull(field(inProgress, 'reason')) : null,
    readyToUse: typeof ready === 'boolean' ? ready : null,
    error: inError
      ? (errorMessage ?? strOrNull(field(inProgress, 'message')) ?? 'InProgress condition False, reason Error')
      : null,
    errorSince: inError
      ? (timestampSeconds(field(statusError, 'time')) ?? timestampSeconds(field(inProgress, 'lastTransitionTime')))
      : null,
    backupTarget: backupTarget(o),
  };
}

/** Longhorn Backup (longhorn.io/v1beta2): state Error with status.error / status.messages. */
export function parseLonghornBackup(o: unknown): KubeBackup {
  const meta = parseMeta(o);
  const state = strOrNull(field(o, 'status', 'state'));
  const messages = field(o, 'status', 'messages');
  const message =
    strOrNull(field(o, 'status', 'error')) ??
    (isObj(messages)
      ? Object.values(messages)
          .filter((m) => typeof m === 'string')
          .join('; ') || null
      : null);
  return {
    resource: 'backups.longhorn.io',
    namespace: meta.namespace,
    name: meta.name,
    source: strOrNull(field(o, 'status', 'volumeName')) ?? meta.labels['backup-volume'] ?? null,
    state,
    readyToUse: null,
    error: state === 'Error' ? (message ?? 'state Error') : null,
    errorSince: null,
    backupTarget: null,
  };
}
