// Pure parsers for the objects that tell whether a volume, a launcher pod or a migration is still in
// use: VM and VMI claims, PVCs and PVs, every pod's claims, DataVolumes,
// restores, Harvester images, Longhorn backing images, migrations and VM snapshots.
import type {
  KubeClaimUser,
  KubeMigration,
  KubePvc,
  KubeVmi,
  KubeVmSnapshot,
  LonghornOrphan,
} from '../../snapshot/kube.js';
import { array, field, isObj, parseMeta, quantityOrNull, strOrNull, timestampSeconds } from './parse-objects.js';

function volumeClaims(volumes: unknown): string[] {
  const out: string[] = [];
  for (const v of array(volumes)) {
    const claim =
      strOrNull(field(v, 'persistentVolumeClaim', 'claimName')) ?? strOrNull(field(v, 'dataVolume', 'name'));
    if (claim) out.push(claim);
  }
  return out;
}

/** The PVCs a VM's spec names, whether it runs or not. */
export function vmClaims(o: unknown): string[] {
  const claims = volumeClaims(field(o, 'spec', 'template', 'spec', 'volumes'));
  for (const t of array(field(o, 'spec', 'dataVolumeTemplates'))) {
    const name = strOrNull(field(t, 'metadata', 'name'));
    if (name) claims.push(name);
  }
  return [...new Set(claims)];
}

export type VmiVolumeFields = Required<Pick<KubeVmi, 'createdAt' | 'activePods' | 'migration' | 'claims'>>;

/** A VMI's active pods, migration state and claims (spec volumes and status.volumeStatus, hot-plugged ones too). */
export function parseVmiVolumeFields(o: unknown): VmiVolumeFields {
  const claims = volumeClaims(field(o, 'spec', 'volumes'));
  for (const vs of array(field(o, 'status', 'volumeStatus'))) {
    const claim = strOrNull(field(vs, 'persistentVolumeClaimInfo', 'claimName'));
    if (claim) claims.push(claim);
  }
  const active = field(o, 'status', 'activePods');
  const ms = field(o, 'status', 'migrationState');
  return {
    createdAt: timestampSeconds(field(o, 'metadata', 'creationTimestamp')),
    activePods: isObj(active) ? Object.keys(active) : [],
    migration: isObj(ms)
      ? {
          sourcePod: strOrNull(ms.sourcePod),
          targetPod: strOrNull(ms.targetPod),
          migrationUid: strOrNull(ms.migrationUid),
          completed: ms.completed === true,
          failed: ms.failed === true,
        }
      : null,
    claims: [...new Set(claims)],
  };
}

/** Sums of a pod's container requests: what a launcher pod holds on its node. */
export function podRequests(o: unknown): { cpuRequestCores: number; memoryRequestsBytes: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of array(field(o, 'spec', 'containers'))) {
    cpu += quantityOrNull(field(c, 'resources', 'requests', 'cpu')) ?? 0;
    memory += quantityOrNull(field(c, 'resources', 'requests', 'memory')) ?? 0;
  }
  return { cpuRequestCores: cpu, memoryRequestsBytes: memory };
}

/** A pod (projected) as a claim user: it holds its claims until it finished. */
export function parsePodClaims(o: unknown): KubeClaimUser | null {
  const claims = volumeClaims(field(o, 'spec', 'volumes'));
  if (claims.length === 0) return null;
  const meta = parseMeta(o);
  const phase = strOrNull(field(o, 'status', 'phase'));
  return {
    resource: 'pods',
    namespace: meta.namespace,
    name: meta.name,
    claims,
    volumes: [],
    active: phase !== 'Succeeded' && phase !== 'Failed',
    state: phase,
  };
}

function ownerRefs(o: unknown): KubePvc['ownerReferences'] {
  return array(field(o, 'metadata', 'ownerReferences')).flatMap((r) => {
    const kind = strOrNull(field(r, 'kind'));
    const name = strOrNull(field(r, 'name'));
    return kind && name ? [{ kind, name, uid: strOrNull(field(r, 'uid')) ?? '' }] : [];
  });
}

/**
 * `harvesterhci.io/owned-by`: `[{"schema":"kubevirt.io.virtualmachine","refs":["ns/vm"]}]`; unreadable JSON
 * names nothing.
 */
export function ownedByVms(annotation: string | null): string[] {
  if (!annotation) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return [];
  }
  return array(parsed).flatMap((e) =>
    field(e, 'schema') === 'kubevirt.io.virtualmachine'
      ? array(field(e, 'refs')).filter((r): r is string => typeof r === 'string')
      : [],
  );
}

const VM_OWNERS = new Set(['VirtualMachine', 'VirtualMachineInstance', 'DataVolume']);

export function parsePvc(o: unknown): KubePvc {
  const meta = parseMeta(o);
  const annotations = field(o, 'metadata', 'annotations');
  const annotation = (k: string) => (isObj(annotations) ? strOrNull(annotations[k]) : null);
  const owners = ownerRefs(o);
  const marks = owners.filter((r) => VM_OWNERS.has(r.kind)).map((r) => `ownerReference ${r.kind}`);
  for (const a of ['harvesterhci.io/owned-by', 'harvesterhci.io/imageId'])
    if (annotation(a) !== null) marks.push(`annotation ${a}`);
  if (isObj(annotations) && Object.keys(annotations).some((a) => a.startsWith('cdi.kubevirt.io/')))
    marks.push('annotations cdi.kubevirt.io/*');
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    phase: strOrNull(field(o, 'status', 'phase')) ?? '',
    volumeName: strOrNull(field(o, 'spec', 'volumeName')),
    requestBytes: quantityOrNull(field(o, 'spec', 'resources', 'requests', 'storage')),
    storageClass: strOrNull(field(o, 'spec', 'storageClassName')),
    createdAt: timestampSeconds(field(o, 'metadata', 'creationTimestamp')),
    deletionTimestamp: meta.deletionTimestamp,
    ownerReferences: owners,
    kubevirtMarks: [...new Set(marks)],
    ownedByVms: ownedByVms(annotation('harvesterhci.io/owned-by')),
    imageId: annotation('harvesterhci.io/imageId'),
  };
}

/** A PV's capacity and the `<namespace>/<name>` of its claim. */
export function parsePv(o: unknown): { capacityBytes: number | null; claim: string | null } {
  const ns = strOrNull(field(o, 'spec', 'claimRef', 'namespace'));
  const name = strOrNull(field(o, 'spec', 'claimRef', 'name'));
  return {
    capacityBytes: quantityOrNull(field(o, 'spec', 'capacity', 'storage')),
    claim: ns && name ? `${ns}/${name}` : null,
  };
}

/** CDI DataVolume: it names its PVC (same name) and holds it while it imports, clones or waits. */
export function parseDataVolume(o: unknown): KubeClaimUser {
  const meta = parseMeta(o);
  const phase = strOrNull(field(o, 'status', 'phase'));
  return {
    resource: 'datavolumes.cdi.kubevirt.io',
    namespace: meta.namespace,
    name: meta.name,
    claims: [meta.name],
    volumes: [],
    // Succeeded: the data is in; Failed: nothing more will happen. Anything else (ImportInProgress,
    // CloneScheduled, WaitForFirstConsumer, unset) is still working on the claim.
    active: phase !== 'Succeeded' && phase !== 'Failed',
    state: phase,
  };
}

/** VirtualMachineRestore: its restored PVCs (status.restores[].persistentVolumeClaim) until status.complete. */
export function parseVmRestore(o: unknown): KubeClaimUser {
  const meta = parseMeta(o);
  const complete = field(o, 'status', 'complete') === true;
  return {
    resource: 'virtualmachinerestores.snapshot.kubevirt.io',
    namespace: meta.namespace,
    name: meta.name,
    claims: array(field(o, 'status', 'restores'))
      .map((r) => strOrNull(field(r, 'persistentVolumeClaim')))
      .filter((c): c is string => c !== null),
    volumes: [],
    active: !complete,
    state: complete ? 'Complete' : 'InProgress',
  };
}

/** Harvester VirtualMachineImage exported from a volume (spec.pvcNamespace/spec.pvcName), for as long as it exists. */
export function parseVmImage(o: unknown): KubeClaimUser | null {
  const meta = parseMeta(o);
  const pvc = strOrNull(field(o, 'spec', 'pvcName'));
  if (!pvc) return null;
  const ns = strOrNull(field(o, 'spec', 'pvcNamespace')) ?? meta.namespace;
  return {
    resource: 'virtualmachineimages.harvesterhci.io',
    namespace: meta.namespace,
    name: meta.name,
    claims: [`${ns}/${pvc}`],
    volumes: [],
    active: true,
    state: strOrNull(field(o, 'spec', 'sourceType')),
  };
}

/** Longhorn BackingImage exported from a volume: sourceParameters `volume-name` is the Longhorn volume (PV) name. */
export function parseBackingImage(o: unknown): KubeClaimUser | null {
  const meta = parseMeta(o);
  const volume = strOrNull(field(o, 'spec', 'sourceParameters', 'volume-name'));
  if (!volume) return null;
  return {
    resource: 'backingimages.longhorn.io',
    namespace: meta.namespace,
    name: meta.name,
    claims: [],
    volumes: [volume],
    active: true,
    state: strOrNull(field(o, 'spec', 'sourceType')),
  };
}

export function parseMigration(o: unknown): KubeMigration {
  const meta = parseMeta(o);
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    vmiName: strOrNull(field(o, 'spec', 'vmiName')) ?? '',
    phase: strOrNull(field(o, 'status', 'phase')) ?? '',
    createdAt: timestampSeconds(field(o, 'metadata', 'creationTimestamp')),
    deletionTimestamp: meta.deletionTimestamp,
  };
}

/** A Go duration as KubeVirt writes it ("5m0s", "1h", "90s", "0") to seconds. */
export function goDurationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (text === '0') return 0;
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`unreadable duration "${text}"`);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] as string] as number), 0);
}

/** KubeVirt's default spec.failureDeadline. */
export const DEFAULT_SNAPSHOT_FAILURE_DEADLINE_SECONDS = 300;

export function parseVmSnapshot(o: unknown): KubeVmSnapshot {
  const meta = parseMeta(o);
  const deadline = strOrNull(field(o, 'spec', 'failureDeadline'));
  const kind = strOrNull(field(o, 'spec', 'source', 'kind'));
  const name = strOrNull(field(o, 'spec', 'source', 'name'));
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    source: name ? `${kind ?? 'VirtualMachine'}/${name}` : null,
    phase: strOrNull(field(o, 'status', 'phase')),
    failureDeadlineSeconds: deadline === null ? DEFAULT_SNAPSHOT_FAILURE_DEADLINE_SECONDS : goDurationSeconds(deadline),
    createdAt: timestampSeconds(field(o, 'metadata', 'creationTimestamp')),
    error: strOrNull(field(o, 'status', 'error', 'message')),
    deletionTimestamp: meta.deletionTimestamp,
  };
}

/** Longhorn Orphan: node, type and the data directory it names (`<DiskPath>/replicas/<DataName>`). */
export function parseLonghornOrphan(o: unknown): LonghornOrphan {
  const meta = parseMeta(o);
  const param = (k: string) => strOrNull(field(o, 'spec', 'parameters', k));
  return {
    namespace: meta.namespace,
    name: meta.name,
    node: strOrNull(field(o, 'spec', 'nodeID')) ?? '',
    type: strOrNull(field(o, 'spec', 'orphanType')) ?? '',
    dataName: param('DataName') ?? param('InstanceName'),
    diskName: param('DiskName'),
    diskPath: param('DiskPath'),
    createdAt: timestampSeconds(field(o, 'metadata', 'creationTimestamp')),
    deletionTimestamp: meta.deletionTimestamp,
  };
}

/** A Longhorn Volume's actual size (an int64 of bytes; Longhorn writes 0 before a replica reported one). */
export function parseLonghornVolume(o: unknown): { namespace: string; name: string; actualSizeBytes: number | null } {
  const meta = parseMeta(o);
  const size = field(o, 'status', 'actualSize');
  return {
    namespace: meta.namespace,
    name: meta.name,
    actualSizeBytes: typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : null,
  };
}
