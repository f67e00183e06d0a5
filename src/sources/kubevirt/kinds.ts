// What the reader does with each watched kind, as one table: how an object is parsed (once per
// resourceVersion, when it arrives), what its watch events add to the history only the watch can know,
// what is forgotten when it is deleted, and what it places in the section. A new kind is one entry; a
// kind without one does not compile.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeBackup, KubePod, KubeSection, KubeVm, KubeVmi } from '../../snapshot/kube.js';
import type { PodMetricsPoller } from './pod-metrics.js';
import type { ResourceKind } from './resources.js';
import { csiVolumeHandle } from './pv-handles.js';
import type { FreezeTracker, FreezeView, OomTracker, StatusTracker } from './trackers.js';
import {
  containerTerminations,
  parseLonghornBackup,
  parsePod,
  parseVm,
  parseVmBackup,
  parseVmiFields,
  vmiFreezeStatus,
  timestampSeconds,
  type ContainerTermination,
  type Meta,
  type VmiFields,
} from './parse-objects.js';
import {
  parseBackingImage,
  parseDataVolume,
  parseLonghornOrphan,
  parseLonghornVolume,
  parseMigration,
  parsePodClaims,
  parsePv,
  parsePvc,
  parseVmImage,
  parseVmiVolumeFields,
  parseVmRestore,
  parseVmSnapshot,
  podRequests,
  vmClaims,
  type VmiVolumeFields,
} from './parse-volumes.js';
import type { KubeClaimUser, KubeMigration, KubePvc, KubeVmSnapshot, LonghornOrphan } from '../../snapshot/kube.js';

/** What the reader keeps besides the caches, which the kinds read and feed. */
export interface KindState {
  freeze: FreezeTracker;
  ooms: OomTracker;
  statuses: StatusTracker;
  metrics: PodMetricsPoller;
}

/** What a kind reads of an object's metadata after its parse (labels, annotations and finalizers are parsed then). */
export type ObjectMeta = Pick<Meta, 'namespace' | 'name' | 'uid' | 'deletionTimestamp'>;

/** The section's lists an object can place entries in. */
export type ListField = {
  [F in keyof KubeSection]-?: NonNullable<KubeSection[F]> extends readonly unknown[] ? F : never;
}[Exclude<keyof KubeSection, 'resources' | 'problems'>];
export type Item<F extends ListField> = NonNullable<KubeSection[F]>[number];
/** One entry an object places in one of the section's lists. */
export type Placement = { [F in ListField]: { field: F; item: Item<F> } }[ListField];
const place = <F extends ListField>(field: F, item: Item<F>): Placement => ({ field, item }) as Placement;

export interface KindHandler<B, F = unknown> {
  /** The part of the object its resourceVersion fixes. */
  parse(o: KubernetesObject): B;
  /** What a watch event of the object tells the trackers, taken when it arrives (the cache keeps only the parse). */
  facts?(o: KubernetesObject): F;
  /** A watch event (deduplicated by resourceVersion in the trackers). */
  observe?(state: KindState, uid: string, resourceVersion: string, facts: F, now: number): void;
  /** The object was deleted. */
  forget?(state: KindState, uid: string): void;
  /**
   * What the watch's history adds to the object's record, compared with === to the last collection's (an
   * array element by element): the record is rebuilt only when it differs. It is asked again only for an object
   * with a new version (its own watch event), one that `changedWithoutEvent` names, and when `watchedEpoch` moves
   * the objects `epochReaches` says it reaches (every object without it): it may change for no other reason.
   */
  watched?(state: KindState, meta: ObjectMeta, base: B, now: number): unknown;
  /**
   * A number that changes whenever `watched` may have changed for objects that had no watch event (a poll);
   * null when only asking each object tells. Without it, `watched` changes only with watch events.
   */
  watchedEpoch?(state: KindState, now: number): number | null;
  /**
   * Whether a move of `watchedEpoch` can change this object's `watched` (decided from its parse, so for as long as
   * this version is cached); without it every object is asked again when the epoch moves.
   */
  epochReaches?(base: B): boolean;
  /** The uids whose `watched` may have changed since the last collection without a watch event (time passing). */
  changedWithoutEvent?(state: KindState, now: number): ReadonlySet<string>;
  /**
   * Its objects are watched by another kind too (the all-pods watch beside the launcher pods'), which places
   * their deletion state and keep marker: this one does not, so nothing is reported twice.
   */
  sharesObjects?: true;
  /** The object's entries in the section, from its parse and `watched`. */
  record(meta: ObjectMeta, base: B, watched: unknown): Placement[];
}

/** Binds a handler's parsed type to itself, so the table can hold handlers of different types. */
const kind = <B, F = unknown>(h: KindHandler<B, F>) => h as unknown as KindHandler<unknown, unknown>;

/** Harvester's and Longhorn's backups share one record. */
const backupKind = (parse: (o: KubernetesObject) => KubeBackup) =>
  kind<KubeBackup>({ parse, record: (_meta, backup) => [place('backups', backup)] });

/** Kinds watched only for their deletion state (the reader records that for every kind). */
const deletionOnly = kind<null>({ parse: () => null, record: () => [] });

/** Objects that may keep a PVC in use. */
const claimUser = (parse: (o: KubernetesObject) => KubeClaimUser | null) =>
  kind<KubeClaimUser | null>({ parse, record: (_meta, user) => (user ? [place('claimUsers', user)] : []) });

type PodBase = Omit<KubePod, 'oomKillsTotal' | 'memoryWorkingSetBytes'>;

export const KINDS: Readonly<Record<ResourceKind, KindHandler<unknown, unknown>>> = {
  vm: kind<KubeVm, string | null>({
    parse: (o) => ({ ...parseVm(o, null), claims: vmClaims(o) }),
    facts: (o) => (o as { status?: { printableStatus?: string } }).status?.printableStatus ?? null,
    observe: (state, uid, _rv, printableStatus, now) => state.statuses.observe(uid, printableStatus, now),
    forget: (state, uid) => state.statuses.forget(uid),
    watched: (state, meta, vm, now) => state.statuses.observe(meta.uid, vm.printableStatus, now),
    record: (_meta, vm, statusSince) => [place('vms', { ...vm, statusSince: statusSince as number | null })],
  }),
  vmi: kind<VmiFields & VmiVolumeFields, string | null>({
    parse: (o) => ({ ...parseVmiFields(o), ...parseVmiVolumeFields(o) }),
    facts: vmiFreezeStatus,
    observe: (state, uid, rv, fsFreezeStatus, now) => state.freeze.observe(uid, rv, fsFreezeStatus, now),
    forget: (state, uid) => state.freeze.forget(uid),
    // The freeze history ages with time: the VMIs that lost a time to age are asked again besides those with events.
    watched: (state, meta, _f, now) => state.freeze.view(meta.uid, now),
    changedWithoutEvent: (state, now) => state.freeze.agedOut(now),
    record: (meta, f, view) => [
      place('vmis', {
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        phase: f.phase,
        nodeName: f.nodeName,
        deletionTimestamp: meta.deletionTimestamp,
        fsFreezeStatus: f.fsFreezeStatus,
        ...(view as FreezeView),
        createdAt: f.createdAt,
        activePods: f.activePods,
        migration: f.migration,
        claims: f.claims,
      } satisfies KubeVmi),
    ],
  }),
  pod: kind<PodBase, ContainerTermination[]>({
    parse: (o) => ({
      ...parsePod(o),
      ...podRequests(o),
      migrationJobUid: o.metadata?.labels?.['kubevirt.io/migrationJobUID'] ?? null,
      createdAt: timestampSeconds(o.metadata?.creationTimestamp),
    }),
    facts: containerTerminations,
    observe: (state, uid, rv, terminations) => state.ooms.observe(uid, rv, terminations),
    forget: (state, uid) => state.ooms.forget(uid),
    // The metrics API is polled for virt-handler pods only (POD_METRICS' selector): no lookup for the rest.
    watched: (state, meta, pod) => [
      state.ooms.count(meta.uid),
      pod.component === 'virt-handler' ? state.metrics.workingSet(meta.namespace, meta.name) : null,
    ],
    watchedEpoch: (state) => state.metrics.version(),
    epochReaches: (pod) => pod.component === 'virt-handler',
    record: (_meta, pod, watched) => {
      const [oomKillsTotal, memoryWorkingSetBytes] = watched as [number, number | null];
      return [place('pods', { ...pod, oomKillsTotal, memoryWorkingSetBytes } satisfies KubePod)];
    },
  }),
  vmbackup: backupKind(parseVmBackup),
  lhbackup: backupKind(parseLonghornBackup),
  // A PV's CSI volume handle: the key a vSphere FCD (or any CSI disk) is joined on across agents.
  pv: kind<{ handle: { driver: string; volumeHandle: string } | null; pv: ReturnType<typeof parsePv> }>({
    parse: (o) => ({ handle: csiVolumeHandle(o), pv: parsePv(o) }),
    record: (meta, { handle, pv }) => [
      ...(handle ? [place('pvVolumeHandles', { name: meta.name, ...handle })] : []),
      place('pvs', { name: meta.name, ...pv }),
    ],
  }),
  pvc: kind<KubePvc>({ parse: parsePvc, record: (_meta, pvc) => [place('pvcs', pvc)] }),
  datavolume: claimUser(parseDataVolume),
  podclaims: { ...claimUser(parsePodClaims), sharesObjects: true },
  migration: kind<KubeMigration>({ parse: parseMigration, record: (_meta, m) => [place('migrations', m)] }),
  vmsnapshot: kind<KubeVmSnapshot>({ parse: parseVmSnapshot, record: (_meta, s) => [place('vmSnapshots', s)] }),
  vmrestore: claimUser(parseVmRestore),
  volumesnapshot: deletionOnly,
  volumesnapshotcontent: deletionOnly,
  vmimage: claimUser(parseVmImage),
  backingimage: claimUser(parseBackingImage),
  lhorphan: kind<LonghornOrphan>({ parse: parseLonghornOrphan, record: (_meta, o) => [place('longhornOrphans', o)] }),
  lhvolume: kind<ReturnType<typeof parseLonghornVolume>>({
    parse: parseLonghornVolume,
    record: (_meta, volume) => [place('longhornVolumes', volume)],
  }),
};
