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
  problems: z.array(z.string()),
});
export type KubeSection = z.infer<typeof KubeSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    kubevirt: KubeSection;
  }
}
