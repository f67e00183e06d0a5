// kubevirt_orphan_volume: a Bound PVC that nothing references for longer than --detect.kubevirt-volume-grace:
// no VM spec (running or stopped: volumes and dataVolumeTemplates), no VMI (hot-plugged volumes too), no pod
// still running, no DataVolume still importing, no restore in progress, no VM snapshot in progress of the VM
// Harvester's owner annotation names, no Harvester image or Longhorn backing image exported from it. A stopped
// VM's disk is referenced by its VM and stays silent: "no pod mounts it" alone never means unused.
import { duration } from '../config/flag-spec.js';
import type { KubePvc, KubeSection } from '../snapshot/kube.js';
import type { Detector, FindingFrom } from './detector.js';
import { kubeSubject } from './lib/kube.js';
import { claimsOf, dataVolumesOf, heldByUsers, listOf, namesOf, nsName, uidsOf } from '../views/kube-index.js';

/** Add-on resources that only add users: one that is failing makes "nothing uses it" unprovable. */
const CLAIM_HOLDERS = [
  'datavolumes.cdi.kubevirt.io',
  'virtualmachinerestores.snapshot.kubevirt.io',
  'virtualmachinesnapshots.snapshot.kubevirt.io',
  'virtualmachineimages.harvesterhci.io',
  'backingimages.longhorn.io',
];

export interface OrphanVolumeOwner {
  kind: string;
  name: string;
  /** Whether the cluster still has it; null when this agent does not watch that kind. */
  exists: boolean | null;
}

export interface OrphanVolumeEvidence {
  pvc: string;
  phase: string;
  volume: string | null;
  storageClass: string | null;
  /**
   * Where reclaimable bytes come from: the Longhorn volume's actual size where its object is readable, else the
   * bound PV's capacity, else the PVC's request.
   */
  bytesFrom: 'longhorn actual size' | 'pv capacity' | 'pvc request' | 'unknown';
  /** The bound PV's spec.capacity.storage, kept even when the Longhorn figure is used. */
  pvCapacityBytes: number | null;
  /** The Longhorn volume (the PV's CSI volume handle) and its status.actualSize, when watched and found. */
  longhornVolume: { namespace: string; name: string; actualSizeBytes: number } | null;
  ownerReferences: OrphanVolumeOwner[];
  /** `harvesterhci.io/owned-by` VM refs, `<namespace>/<name>`, and whether each VM still exists. */
  ownedByVms: Array<{ vm: string; exists: boolean }>;
  /** The DataVolume of the same name, when there is one. */
  dataVolume: { name: string; phase: string | null } | null;
  imageId: string | null;
  /** Why it counts as a VM's volume. */
  kubevirtMarks: string[];
  /** Unix seconds. */
  createdAt: number | null;
}

const LONGHORN_DRIVER = 'driver.longhorn.io';

/**
 * Longhorn volumes by name, with their actual size: only while their watch is current (a failing or unsynced
 * watch, or no Longhorn, leaves the PV's capacity as the figure).
 */
function longhornSizes(kube: KubeSection): Map<string, { namespace: string; name: string; actualSizeBytes: number }> {
  const out = new Map<string, { namespace: string; name: string; actualSizeBytes: number }>();
  const status = kube.resources.find((r) => r.resource === 'volumes.longhorn.io');
  if (!status?.available || !status.synced || status.error !== null) return out;
  for (const v of kube.longhornVolumes ?? [])
    if (v.actualSizeBytes !== null)
      out.set(v.name, { namespace: v.namespace, name: v.name, actualSizeBytes: v.actualSizeBytes });
  return out;
}

function unprovable(kube: KubeSection): string | null {
  for (const r of kube.resources) {
    if (!CLAIM_HOLDERS.includes(r.resource) || !r.available) continue;
    if (r.error !== null) return `the ${r.resource} watch failed: ${r.error}`;
    if (!r.synced) return `the ${r.resource} cache has not finished its first list`;
  }
  return null;
}

/** Whether something still holds a `<namespace>/<pvc>` (or, for backing images, its PV). */
function claimsInUse(kube: KubeSection): { claim(key: string): boolean; volume(pv: string): boolean } {
  const byVms = claimsOf(kube.vms);
  const byVmis = claimsOf(kube.vmis);
  const byUsers = heldByUsers(listOf(kube, 'claimUsers'));
  return {
    claim: (k) => byVms.has(k) || byVmis.has(k) || byUsers.claims.has(k),
    volume: (pv) => byUsers.volumes.has(pv),
  };
}

function snapshotting(kube: KubeSection): Set<string> {
  const vms = new Set<string>();
  for (const s of kube.vmSnapshots ?? []) {
    if (s.deletionTimestamp !== null || s.phase === 'Succeeded' || s.phase === 'Failed') continue;
    const vm = s.source?.startsWith('VirtualMachine/') ? s.source.slice('VirtualMachine/'.length) : null;
    if (vm) vms.add(`${s.namespace}/${vm}`);
  }
  return vms;
}

/** Whether the objects an owner reference names still exist. */
function ownerChecker(kube: KubeSection): (pvc: KubePvc) => OrphanVolumeOwner[] {
  const vmUids = uidsOf(kube.vms);
  const vmiUids = uidsOf(kube.vmis);
  const dvs = dataVolumesOf(listOf(kube, 'claimUsers'));
  return (pvc) =>
    pvc.ownerReferences.map((o) => ({
      kind: o.kind,
      name: o.name,
      exists:
        o.kind === 'VirtualMachine'
          ? vmUids.has(o.uid)
          : o.kind === 'VirtualMachineInstance'
            ? vmiUids.has(o.uid)
            : o.kind === 'DataVolume'
              ? dvs.has(`${pvc.namespace}/${o.name}`)
              : null,
    }));
}

/** What an orphan's evidence and bytes are looked up in. */
function evidenceLookups(kube: KubeSection) {
  return {
    vmNames: namesOf(kube.vms),
    pvs: new Map(listOf(kube, 'pvs').map((p) => [p.name, p])),
    dvs: dataVolumesOf(listOf(kube, 'claimUsers')),
    owners: ownerChecker(kube),
    handles: new Map(
      listOf(kube, 'pvVolumeHandles')
        .filter((h) => h.driver === LONGHORN_DRIVER)
        .map((h) => [h.name, h.volumeHandle]),
    ),
    longhorn: longhornSizes(kube),
  };
}

export const kubevirtOrphanVolume: Detector<
  'kubevirt_orphan_volume',
  OrphanVolumeEvidence,
  'namespace' | 'name',
  'detect.kubevirt-volume-grace'
> = {
  kind: 'kubevirt_orphan_volume',
  labels: ['namespace', 'name'],
  knobs: {
    'detect.kubevirt-volume-grace': duration(
      '1h',
      'How long a PVC may stay referenced by nothing (no VM, VMI, pod, import, restore or image) before ' +
        'kubevirt_orphan_volume.',
    ),
  },
  grace: 'detect.kubevirt-volume-grace',
  needs: [
    'kubevirt',
    'kubevirt.synced:virtualmachines.kubevirt.io',
    'kubevirt.synced:virtualmachineinstances.kubevirt.io',
    'kubevirt.synced:pods:claims',
    'kubevirt.synced:persistentvolumeclaims',
  ],
  detect(s) {
    const kube = s.kubevirt;
    if (!kube?.pvcs) return [];
    const reason = unprovable(kube);
    if (reason) throw new Error(`cannot prove a volume unused: ${reason}`);
    const inUse = claimsInUse(kube);
    const inSnapshot = snapshotting(kube);
    const out: Array<FindingFrom<typeof kubevirtOrphanVolume>> = [];
    // Indexes for the evidence, built when the first orphan is found.
    let lookups: ReturnType<typeof evidenceLookups> | null = null;
    for (const pvc of kube.pvcs) {
      // Pending claims hold no storage; a deleting one is kubevirt_stuck_deletion's if it stays; other
      // workloads' claims (a StatefulSet scaled to zero) are not a VM's leftovers.
      if (pvc.phase !== 'Bound' || pvc.deletionTimestamp !== null || pvc.kubevirtMarks.length === 0) continue;
      const k = nsName(pvc);
      if (inUse.claim(k) || (pvc.volumeName !== null && inUse.volume(pvc.volumeName))) continue;
      if (pvc.ownedByVms.some((vm) => inSnapshot.has(vm))) continue;
      lookups ??= evidenceLookups(kube);
      const { vmNames, pvs, dvs, owners, handles, longhorn } = lookups;
      const capacity = pvc.volumeName === null ? null : (pvs.get(pvc.volumeName)?.capacityBytes ?? null);
      const handle = pvc.volumeName === null ? undefined : handles.get(pvc.volumeName);
      const lh = handle === undefined ? null : (longhorn.get(handle) ?? null);
      const bytes = lh?.actualSizeBytes ?? capacity ?? pvc.requestBytes;
      const dv = dvs.get(k);
      out.push({
        kind: 'kubevirt_orphan_volume',
        subject: kubeSubject('persistentvolumeclaims', pvc.namespace, pvc.name),
        labels: { namespace: pvc.namespace, name: pvc.name },
        since: null,
        reclaimable: bytes === null ? {} : { diskBytes: bytes },
        evidence: {
          pvc: pvc.name,
          phase: pvc.phase,
          volume: pvc.volumeName,
          storageClass: pvc.storageClass,
          bytesFrom:
            lh !== null
              ? 'longhorn actual size'
              : capacity !== null
                ? 'pv capacity'
                : pvc.requestBytes !== null
                  ? 'pvc request'
                  : 'unknown',
          pvCapacityBytes: capacity,
          longhornVolume: lh,
          ownerReferences: owners(pvc),
          ownedByVms: pvc.ownedByVms.map((vm) => ({ vm, exists: vmNames.has(vm) })),
          dataVolume: dv ? { name: dv.name, phase: dv.state } : null,
          imageId: pvc.imageId,
          kubevirtMarks: pvc.kubevirtMarks,
          createdAt: pvc.createdAt,
        },
        refs: pvc.volumeName ? [`pv:${pvc.volumeName}`] : [],
      });
    }
    return out;
  },
};
