// Shape of what the kube source reads from its watch caches: KubeVirt/Harvester/Longhorn/CDI objects
// reduced to the fields detectors need, plus what only the watch can see (counters and the times of
// transitions it observed). All times are Unix seconds.
import { z } from 'zod';
import { ResourceKeepSchema } from './keep.js';

/** One watched resource: whether its API is served, whether the cache holds a full list. */
export const KubeResourceStatusSchema = z.object({
  /** kubectl style: `pods`, `virtualmachines.kubevirt.io`, `backups.longhorn.io`. */
  resource: z.string(),
  /** False when the API answered 404 (CRD not installed, metrics.k8s.io not served). */
  available: z.boolean(),
  synced: z.boolean(),
  objects: z.number(),
  /** Last error of the list/watch, null while healthy. */
  error: z.string().nullable(),
});
export type KubeResourceStatus = z.infer<typeof KubeResourceStatusSchema>;

/** Any watched object that carries a deletionTimestamp. */
export const DeletingObjectSchema = z.object({
  resource: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  deletionTimestamp: z.number(),
  finalizers: z.array(z.string()),
});
export type DeletingObject = z.infer<typeof DeletingObjectSchema>;

export const KubeVmSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  printableStatus: z.string().nullable(),
  /** When the watch saw printableStatus change to its current value; null if it already had it when first seen. */
  statusSince: z.number().nullable(),
  deletionTimestamp: z.number().nullable(),
  finalizers: z.array(z.string()),
  /**
   * PVCs the VM's spec names, running or stopped: spec.template.spec.volumes persistentVolumeClaim.claimName
   * and dataVolume.name, and spec.dataVolumeTemplates[].metadata.name. Absent in old snapshots.
   */
  claims: z.array(z.string()).optional(),
});
export type KubeVm = z.infer<typeof KubeVmSchema>;

export const KubeVmiSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  phase: z.string(),
  nodeName: z.string().nullable(),
  deletionTimestamp: z.number().nullable(),
  /** status.fsFreezeStatus: "frozen" while a freeze is requested, null otherwise. */
  fsFreezeStatus: z.string().nullable(),
  /** Changes of fsFreezeStatus seen on the watch since this process started watching the VMI. */
  freezeTransitionsTotal: z.number(),
  /** When those changes were seen, only those inside --kube.freeze-history. */
  freezeTransitionTimes: z.array(z.number()),
  /** New resourceVersions seen while the VMI stayed frozen (churn the API server may coalesce away). */
  frozenUpdatesTotal: z.number(),
  frozenUpdateTimes: z.array(z.number()),
  /** metadata.creationTimestamp; absent in old snapshots. */
  createdAt: z.number().nullable().optional(),
  /** status.activePods: the uids of the launcher pods the VMI runs in (two during a live migration). */
  activePods: z.array(z.string()).optional(),
  /** status.migrationState: the pods and migration of the last or current migration. */
  migration: z
    .object({
      sourcePod: z.string().nullable(),
      targetPod: z.string().nullable(),
      migrationUid: z.string().nullable(),
      completed: z.boolean(),
      failed: z.boolean(),
    })
    .nullable()
    .optional(),
  /** PVCs the VMI uses: spec volumes (claimName / dataVolume name) and status.volumeStatus (hot-plugged ones). */
  claims: z.array(z.string()).optional(),
});
export type KubeVmi = z.infer<typeof KubeVmiSchema>;

export const KubePodSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  /** Value of the `kubevirt.io` label: virt-handler, virt-launcher, virt-api … */
  component: z.string(),
  /** `kubevirt.io/created-by` label: the uid of the VMI a launcher pod runs. */
  createdBy: z.string().nullable(),
  /** `vm.kubevirt.io/name` label. */
  vmName: z.string().nullable(),
  nodeName: z.string().nullable(),
  phase: z.string(),
  deletionTimestamp: z.number().nullable(),
  /** Sum of the containers' restartCount, as the kubelet reports it. */
  restartsTotal: z.number(),
  /** OOMKilled terminations seen on the watch (restartCount went up, lastState says OOMKilled). */
  oomKillsTotal: z.number(),
  /** Of the main container (the one named like the component, else the first): null when unset. */
  memoryLimitBytes: z.number().nullable(),
  memoryRequestBytes: z.number().nullable(),
  /** From metrics.k8s.io, null when not served or not reported for this pod. */
  memoryWorkingSetBytes: z.number().nullable(),
  /** Sum of the containers' CPU requests (cores) and memory requests (bytes); absent in old snapshots. */
  cpuRequestCores: z.number().optional(),
  memoryRequestsBytes: z.number().optional(),
  /** `kubevirt.io/migrationJobUID` label: the migration this target launcher pod was created for. */
  migrationJobUid: z.string().nullable().optional(),
  createdAt: z.number().nullable().optional(),
});
export type KubePod = z.infer<typeof KubePodSchema>;

export const BackupTargetSchema = z.object({ endpoint: z.string(), bucket: z.string() });

export const KubeBackupSchema = z.object({
  /** virtualmachinebackups.harvesterhci.io or backups.longhorn.io */
  resource: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** What is backed up: the VM (spec.source.name) or the Longhorn volume. */
  source: z.string().nullable(),
  /** Longhorn status.state; for Harvester backups the InProgress condition's reason. */
  state: z.string().nullable(),
  readyToUse: z.boolean().nullable(),
  /** The error message when the backup is in error, else null. */
  error: z.string().nullable(),
  /** When the error was recorded (status.error.time or the condition's lastTransitionTime). */
  errorSince: z.number().nullable(),
  backupTarget: BackupTargetSchema.nullable(),
});
export type KubeBackup = z.infer<typeof KubeBackupSchema>;

const OwnerRefSchema = z.object({ kind: z.string(), name: z.string(), uid: z.string() });

/** A PersistentVolumeClaim, with what says who made it and what it would free. */
export const KubePvcSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  phase: z.string(),
  /** spec.volumeName: the bound PV. */
  volumeName: z.string().nullable(),
  /** spec.resources.requests.storage in bytes. */
  requestBytes: z.number().nullable(),
  storageClass: z.string().nullable(),
  createdAt: z.number().nullable(),
  deletionTimestamp: z.number().nullable(),
  ownerReferences: z.array(OwnerRefSchema),
  /** `harvesterhci.io/owned-by` annotation: the `<namespace>/<name>` refs of its kubevirt.io.virtualmachine entries. */
  ownedByVms: z.array(z.string()),
  /** `harvesterhci.io/imageId` annotation: the `<namespace>/<name>` of the Harvester image it was made from. */
  imageId: z.string().nullable(),
  /**
   * What marks it as a VM's volume (an owner reference to a VM, VMI or DataVolume, Harvester's owner or image
   * annotation, CDI's annotations); empty for other workloads' claims, which this exporter does not judge.
   */
  kubevirtMarks: z.array(z.string()),
});
export type KubePvc = z.infer<typeof KubePvcSchema>;

/** Any watched object that may keep a PVC in use, reduced to the claims it names. */
export const KubeClaimUserSchema = z.object({
  /** kubectl style resource: `pods`, `virtualmachineimages.harvesterhci.io`, … */
  resource: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** The PVCs it names, in its own namespace unless written `<namespace>/<name>`. */
  claims: z.array(z.string()),
  /** Longhorn volume (PV) names it names (backing images exported from a volume). */
  volumes: z.array(z.string()),
  /** Whether it still holds them: a running pod, an image not yet ready, a restore not complete, … */
  active: z.boolean(),
  /** Pod phase, DataVolume phase, image state: shown as evidence. */
  state: z.string().nullable(),
});
export type KubeClaimUser = z.infer<typeof KubeClaimUserSchema>;

export const KubeMigrationSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  vmiName: z.string(),
  phase: z.string(),
  createdAt: z.number().nullable(),
  deletionTimestamp: z.number().nullable(),
});
export type KubeMigration = z.infer<typeof KubeMigrationSchema>;

export const KubeVmSnapshotSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  /** spec.source kind/name (a VirtualMachine). */
  source: z.string().nullable(),
  phase: z.string().nullable(),
  /** spec.failureDeadline in seconds (KubeVirt's default 5m when unset; 0 means none). */
  failureDeadlineSeconds: z.number(),
  createdAt: z.number().nullable(),
  error: z.string().nullable(),
  deletionTimestamp: z.number().nullable(),
});
export type KubeVmSnapshot = z.infer<typeof KubeVmSnapshotSchema>;

/** A Longhorn Orphan (longhorn.io/v1beta2): replica data or a runtime instance no volume owns. */
export const LonghornOrphanSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  /** spec.nodeID */
  node: z.string(),
  /** spec.orphanType: `replica` (before 1.9), `replica-data`, `engine-instance`, `replica-instance`. */
  type: z.string(),
  /** spec.parameters.DataName: the replica's directory under `<DiskPath>/replicas/`, or the instance name. */
  dataName: z.string().nullable(),
  diskName: z.string().nullable(),
  diskPath: z.string().nullable(),
  createdAt: z.number().nullable(),
  deletionTimestamp: z.number().nullable(),
});
export type LonghornOrphan = z.infer<typeof LonghornOrphanSchema>;

export const KubeSectionSchema = z.object({
  /** The API server URL from the kubeconfig. */
  server: z.string(),
  /** --kube.namespace, null when watching all namespaces. */
  namespace: z.string().nullable(),
  resources: z.array(KubeResourceStatusSchema),
  deleting: z.array(DeletingObjectSchema),
  vms: z.array(KubeVmSchema),
  vmis: z.array(KubeVmiSchema),
  pods: z.array(KubePodSchema),
  backups: z.array(KubeBackupSchema),
  /** CSI PersistentVolumes' volume handles (a vSphere FCD id for csi.vsphere.vmware.com); absent in old snapshots. */
  pvVolumeHandles: z.array(z.object({ name: z.string(), driver: z.string(), volumeHandle: z.string() })).optional(),
  /** Watched objects that carry a keep marker in their annotations (vmzombie.io/keep); absent in old snapshots. */
  keepMarkers: z
    .array(z.object({ resource: z.string(), namespace: z.string(), name: z.string(), keep: ResourceKeepSchema }))
    .optional(),
  /** PersistentVolumes' capacity in bytes and the claim they are bound to; absent in old snapshots. */
  pvs: z
    .array(z.object({ name: z.string(), capacityBytes: z.number().nullable(), claim: z.string().nullable() }))
    .optional(),
  pvcs: z.array(KubePvcSchema).optional(),
  /** Pods (all of them, a trimmed projection), DataVolumes, restores, images that name PVCs. */
  claimUsers: z.array(KubeClaimUserSchema).optional(),
  migrations: z.array(KubeMigrationSchema).optional(),
  vmSnapshots: z.array(KubeVmSnapshotSchema).optional(),
  longhornOrphans: z.array(LonghornOrphanSchema).optional(),
  /**
   * Longhorn volumes (longhorn.io/v1beta2; named after the PV's CSI volume handle) and status.actualSize, the
   * bytes one replica holds on disk; absent in old snapshots.
   */
  longhornVolumes: z
    .array(z.object({ namespace: z.string(), name: z.string(), actualSizeBytes: z.number().nullable() }))
    .optional(),
  problems: z.array(z.string()),
});
export type KubeSection = z.infer<typeof KubeSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    kubevirt: KubeSection;
  }
}
