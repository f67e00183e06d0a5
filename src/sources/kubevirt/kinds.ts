// What the reader does with each watched kind, as one table: how an object is parsed (once per
// resourceVersion), what its watch events add to the history only the watch can know, what is
// forgotten when it is deleted, and how it enters the section. A new kind is one entry; a kind
// without one does not compile.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeBackup, KubePod, KubeSection, KubeVm, KubeVmi } from '../../snapshot/kube.js';
import type { PodMetricsPoller } from './pod-metrics.js';
import type { ResourceKind } from './resources.js';
import { csiVolumeHandle } from './pv-handles.js';
import type { FreezeTracker, OomTracker, StatusTracker } from './trackers.js';
import {
  containerTerminations,
  parseLonghornBackup,
  parsePod,
  parseVm,
  parseVmBackup,
  parseVmiFields,
  timestampSeconds,
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
  projectLonghornVolume,
  projectPodClaims,
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

export interface KindHandler<B> {
  /** The part of the object its resourceVersion fixes. */
  parse(o: KubernetesObject): B;
  /** A watch event (deduplicated by resourceVersion in the trackers). */
  observe?(state: KindState, o: KubernetesObject, now: number): void;
  /** The object was deleted. */
  forget?(state: KindState, uid: string): void;
  /** What the cache stores of each object, when less than all of it (the all-pods watch). */
  project?(o: KubernetesObject): KubernetesObject;
  /** Adds the object to the section, with what the watch observed. */
  record(section: KubeSection, state: KindState, meta: Meta, base: B, now: number): void;
}

/** Binds a handler's parsed type to itself, so the table can hold handlers of different types. */
const kind = <B>(h: KindHandler<B>) => h as unknown as KindHandler<unknown>;

/** Harvester's and Longhorn's backups share one record. */
const backupKind = (parse: (o: KubernetesObject) => KubeBackup) =>
  kind<KubeBackup>({
    parse,
    record: (section, _state, _meta, backup) => {
      section.backups.push(backup);
    },
  });

/** Kinds watched only for their deletion state (the reader records that for every kind). */
const deletionOnly = kind<null>({ parse: () => null, record: () => {} });

/** Objects that may keep a PVC in use. */
const claimUser = (parse: (o: KubernetesObject) => KubeClaimUser | null) =>
  kind<KubeClaimUser | null>({
    parse,
    record: (section, _state, _meta, user) => {
      if (user) section.claimUsers?.push(user);
    },
  });

export const KINDS: Readonly<Record<ResourceKind, KindHandler<unknown>>> = {
  vm: kind<KubeVm>({
    parse: (o) => ({ ...parseVm(o, null), claims: vmClaims(o) }),
    observe: (state, o, now) =>
      state.statuses.observe(
        o.metadata?.uid ?? '',
        (o as { status?: { printableStatus?: string } }).status?.printableStatus ?? null,
        now,
      ),
    forget: (state, uid) => state.statuses.forget(uid),
    record: (section, state, meta, vm, now) => {
      const statusSince = state.statuses.observe(meta.uid, vm.printableStatus, now);
      const last = vmRecords.get(vm);
      if (last?.statusSince === statusSince) section.vms.push(last);
      else {
        const record = { ...vm, statusSince };
        vmRecords.set(vm, record);
        section.vms.push(record);
      }
    },
  }),
  vmi: kind<VmiFields & VmiVolumeFields>({
    parse: (o) => ({ ...parseVmiFields(o), ...parseVmiVolumeFields(o) }),
    observe: (state, o, now) =>
      state.freeze.observe(
        o.metadata?.uid ?? '',
        o.metadata?.resourceVersion ?? '',
        parseVmiFields(o).fsFreezeStatus,
        now,
      ),
    forget: (state, uid) => state.freeze.forget(uid),
    record: (section, state, meta, f, now) => {
      section.vmis.push({
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        phase: f.phase,
        nodeName: f.nodeName,
        deletionTimestamp: meta.deletionTimestamp,
        fsFreezeStatus: f.fsFreezeStatus,
        ...state.freeze.view(meta.uid, now),
        createdAt: f.createdAt,
        activePods: f.activePods,
        migration: f.migration,
        claims: f.claims,
      });
      keepLast(section.vmis, vmiRecords, f);
    },
  }),
  pod: kind<ReturnType<typeof parsePod>>({
    parse: (o) => ({
      ...parsePod(o),
      ...podRequests(o),
      migrationJobUid: o.metadata?.labels?.['kubevirt.io/migrationJobUID'] ?? null,
      createdAt: timestampSeconds(o.metadata?.creationTimestamp),
    }),
    observe: (state, o) =>
      state.ooms.observe(o.metadata?.uid ?? '', o.metadata?.resourceVersion ?? '', containerTerminations(o)),
    forget: (state, uid) => state.ooms.forget(uid),
    record: (section, state, meta, pod) => {
      const oomKillsTotal = state.ooms.count(meta.uid);
      // The metrics API is polled for virt-handler pods only (POD_METRICS' selector): no lookup for the rest.
      const memoryWorkingSetBytes =
        pod.component === 'virt-handler' ? state.metrics.workingSet(meta.namespace, meta.name) : null;
      const last = podRecords.get(pod);
      if (last?.oomKillsTotal === oomKillsTotal && last.memoryWorkingSetBytes === memoryWorkingSetBytes)
        section.pods.push(last);
      else {
        const record = { ...pod, oomKillsTotal, memoryWorkingSetBytes };
        podRecords.set(pod, record);
        section.pods.push(record);
      }
    },
  }),
  vmbackup: backupKind(parseVmBackup),
  lhbackup: backupKind(parseLonghornBackup),
  // A PV's CSI volume handle: the key a vSphere FCD (or any CSI disk) is joined on across agents.
  pv: kind<{ handle: { driver: string; volumeHandle: string } | null; pv: ReturnType<typeof parsePv> }>({
    parse: (o) => ({ handle: csiVolumeHandle(o), pv: parsePv(o) }),
    record: (section, _state, meta, { handle, pv }) => {
      if (handle) section.pvVolumeHandles?.push({ name: meta.name, ...handle });
      section.pvs?.push({ name: meta.name, ...pv });
    },
  }),
  pvc: kind<KubePvc>({
    parse: parsePvc,
    record: (section, _state, _meta, pvc) => {
      section.pvcs?.push(pvc);
    },
  }),
  datavolume: claimUser(parseDataVolume),
  podclaims: kind<KubeClaimUser | null>({
    parse: parsePodClaims,
    project: projectPodClaims,
    record: (section, _state, _meta, user) => {
      if (user) section.claimUsers?.push(user);
    },
  }),
  migration: kind<KubeMigration>({
    parse: parseMigration,
    record: (section, _state, _meta, m) => {
      section.migrations?.push(m);
    },
  }),
  vmsnapshot: kind<KubeVmSnapshot>({
    parse: parseVmSnapshot,
    record: (section, _state, _meta, snap) => {
      section.vmSnapshots?.push(snap);
    },
  }),
  vmrestore: claimUser(parseVmRestore),
  volumesnapshot: deletionOnly,
  volumesnapshotcontent: deletionOnly,
  vmimage: claimUser(parseVmImage),
  backingimage: claimUser(parseBackingImage),
  lhorphan: kind<LonghornOrphan>({
    parse: parseLonghornOrphan,
    record: (section, _state, _meta, orphan) => {
      section.longhornOrphans?.push(orphan);
    },
  }),
  lhvolume: kind<ReturnType<typeof parseLonghornVolume>>({
    parse: parseLonghornVolume,
    project: projectLonghornVolume,
    record: (section, _state, _meta, volume) => {
      section.longhornVolumes?.push(volume);
    },
  }),
};

// An object's last record, per parsed version of it (kept as long as that version is cached): reused
// while what the watch adds is unchanged, so a collection keeps only what changed and the per-object
// series lines stay cached (outputs/metrics/cached-text-gauge.ts).
const vmiRecords = new WeakMap<VmiFields, KubeVmi>();
const vmRecords = new WeakMap<KubeVm, KubeVm>();
const podRecords = new WeakMap<ReturnType<typeof parsePod>, KubePod>();

/**
 * Puts back the record this parsed version made last time in place of the one just pushed when the two
 * are equal field by field (the watch-derived parts, such as the freeze view, are the same objects while
 * unchanged); else remembers the new one.
 */
function keepLast<R extends object>(list: R[], last: WeakMap<object, R>, version: object): void {
  const made = list[list.length - 1] as R;
  const before = last.get(version);
  if (before !== undefined && sameFields(before, made)) list[list.length - 1] = before;
  else last.set(version, made);
}

function sameFields(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}
