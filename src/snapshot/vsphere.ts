// Shape of what the vsphere source reads from each vCenter or standalone ESXi: the inventory of the
// fast path (every collection) and the file scan of the slow path (every
// --vsphere.datastore-scan-interval, cached in between). Zod schemas are the single definition.
import { z } from 'zod';
import { ResourceKeepSchema } from './keep.js';

/** A managed object reference: `<val type="HostSystem">host-21</val>`. */
export const MoRefSchema = z.object({ type: z.string(), value: z.string() });
export type MoRef = z.infer<typeof MoRefSchema>;

/** One node of a VM's snapshot tree, flattened: depth 1 is a root snapshot. */
export const VsphereSnapshotSchema = z.object({
  moid: z.string(),
  name: z.string(),
  /** Unix seconds. */
  createTime: z.number().nullable(),
  depth: z.number(),
  /** Index of the parent in the VM's snapshots list; null for roots. */
  parent: z.number().nullable(),
});
export type VsphereSnapshot = z.infer<typeof VsphereSnapshotSchema>;

export const VsphereVmSchema = z.object({
  moid: z.string(),
  name: z.string(),
  instanceUuid: z.string().nullable(),
  template: z.boolean(),
  /** config.files.vmPathName as vSphere writes it: "[datastore] folder/name.vmx". */
  vmPathName: z.string().nullable(),
  powerState: z.string(),
  connectionState: z.string(),
  host: z.string().nullable(),
  consolidationNeeded: z.boolean().nullable(),
  numCpu: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  snapshots: z.array(VsphereSnapshotSchema),
  /** config.managedBy: the extension that owns the VM (SRM placeholders, vCLS, Horizon, replication). */
  managedBy: z.object({ extensionKey: z.string(), type: z.string() }).nullable().optional(),
  /** Its folder below the datacenter's VM folder (`finance/prod`); absent at the top or in old snapshots. */
  folder: z.string().optional(),
  /** Its resource pool below the root pool (`Finance/batch`); absent in the root pool or in old snapshots. */
  resourcePool: z.string().optional(),
  /** The keep marker of its `vmzombie.keep` custom attribute, as written. */
  keep: ResourceKeepSchema.optional(),
});
export type VsphereVm = z.infer<typeof VsphereVmSchema>;

export const AutoStartPowerInfoSchema = z.object({
  vm: z.string(),
  startAction: z.string(),
  /** Seconds; -1 means the host default. */
  startDelay: z.number(),
  startOrder: z.number(),
});

export const VsphereHostSchema = z.object({
  moid: z.string(),
  name: z.string(),
  connectionState: z.string(),
  /** Unix seconds; null when the host does not say (disconnected hosts). */
  bootTime: z.number().nullable(),
  inMaintenanceMode: z.boolean(),
  parent: MoRefSchema.nullable(),
  /** config.autoStart; null when unset or unreadable. */
  autoStart: z
    .object({
      enabled: z.boolean().nullable(),
      /** defaults.startDelay in seconds. */
      defaultStartDelay: z.number(),
      powerInfo: z.array(AutoStartPowerInfoSchema),
    })
    .nullable(),
});
export type VsphereHost = z.infer<typeof VsphereHostSchema>;

export const VsphereClusterSchema = z.object({
  moid: z.string(),
  name: z.string(),
  /** configurationEx.dasConfig.enabled; null when not readable. */
  haEnabled: z.boolean().nullable(),
});
export type VsphereCluster = z.infer<typeof VsphereClusterSchema>;

export const VsphereDatastoreSchema = z.object({
  moid: z.string(),
  name: z.string(),
  accessible: z.boolean(),
  /** summary.type: VMFS, NFS, NFS41, CIFS, vsan, VVOL, PMEM. */
  type: z.string(),
});

/** A file of a VM's layoutEx: name as "[datastore] path", size in bytes. */
export const LayoutFileSchema = z.object({ name: z.string(), type: z.string(), sizeBytes: z.number() });

export const VmLayoutSchema = z.object({
  vm: z.string(),
  files: z.array(LayoutFileSchema),
  /** Per snapshot moid, the files only that snapshot holds (its memory/state and top delta disks). */
  snapshotFiles: z.record(z.string(), z.array(z.string())),
  /** Per virtual disk, the descriptor of each unit of its chain (layoutEx.disk), in the order vSphere gives. */
  diskChains: z.array(z.array(z.string())).optional(),
});
export type VmLayout = z.infer<typeof VmLayoutSchema>;

/** A file found on a datastore; path relative to the datastore root, "/" separated. */
export const DatastoreFileSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().nullable(),
  /** Unix seconds; null when the host did not say. */
  modified: z.number().nullable(),
});

export const DatastoreScanSchema = z.object({
  datastore: z.string(),
  /** Unix seconds when this datastore was last listed successfully; null when never. */
  scannedAt: z.number().nullable(),
  /** Why the last attempt failed (a missing Datastore.Browse privilege, a timeout); null when it worked. */
  error: z.string().nullable(),
  files: z.array(DatastoreFileSchema),
});
export type DatastoreScan = z.infer<typeof DatastoreScanSchema>;

/** A First-Class Disk (VStorageObject) on a datastore, from the storage-object manager. */
export const FcdSchema = z.object({
  id: z.string(),
  name: z.string(),
  datastore: z.string(),
  /** "[datastore] fcd/….vmdk" */
  filePath: z.string(),
  capacityBytes: z.number().nullable(),
  /** Unix seconds. */
  createTime: z.number().nullable(),
});
export type Fcd = z.infer<typeof FcdSchema>;

/** A VmRemovedEvent or VmPoweredOffEvent from vCenter's event history (who and when). */
export const VmEventSchema = z.object({
  type: z.string(),
  /** Unix seconds. */
  time: z.number(),
  user: z.string(),
  vm: z.string(),
  /** The VM's moid when the event names it. */
  vmMoid: z.string().nullable(),
});
export type VmEvent = z.infer<typeof VmEventSchema>;

export const FileScanSchema = z.object({
  /** Unix seconds when the VMs' layoutEx was last read; null when never. */
  layoutsAt: z.number().nullable(),
  layoutError: z.string().nullable(),
  layouts: z.array(VmLayoutSchema),
  datastores: z.array(DatastoreScanSchema),
  /** First-Class Disks per scanned datastore; absent when the vCenter has no storage-object manager. */
  fcds: z.array(FcdSchema).optional(),
  /** Power-off and removal events, newest per VM; absent when the event history could not be read. */
  events: z.array(VmEventSchema).optional(),
});
export type FileScan = z.infer<typeof FileScanSchema>;

export const VcenterSchema = z.object({
  /** host:port of the URL: the `vcenter` label of every vsphere series. */
  vcenter: z.string(),
  apiType: z.string(),
  vms: z.array(VsphereVmSchema),
  hosts: z.array(VsphereHostSchema),
  clusters: z.array(VsphereClusterSchema),
  datastores: z.array(VsphereDatastoreSchema),
  files: FileScanSchema,
});
export type Vcenter = z.infer<typeof VcenterSchema>;

export const VsphereSectionSchema = z.object({
  vcenters: z.array(VcenterSchema),
  /** Objects or properties that could not be read; counted, never fatal. */
  problems: z.array(z.string()),
  /**
   * Known owners in effect (--vsphere.known-owner and the defaults): `vm:<glob>`, `extension:<key>`,
   * `path:<glob>`. Recorded so a replayed snapshot judges the same; absent in older snapshots (defaults apply).
   */
  knownOwners: z.array(z.string()).optional(),
});
export type VsphereSection = z.infer<typeof VsphereSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    vsphere: VsphereSection;
  }
}
