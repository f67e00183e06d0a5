// Shape of what the hyperv source reads on one Windows host: VMs, checkpoints, the disk chains VMs
// and checkpoints use, vmwp.exe worker processes, Host Compute Service systems (WSL2 and other VMs
// Get-VM never lists), and the file scan of the VM directories (every --hyperv.scan-interval,
// cached in between). Enum values are Hyper-V's names ("Off", "RunningCritical"), GUIDs lower-case,
// times Unix seconds.
import { z } from 'zod';

export const HypervVmSchema = z.object({
  /** Get-VM Id, lower-case. */
  id: z.string(),
  name: z.string(),
  /** VMState by name: Off, Running, Paused, Saved, ..., and the *Critical variants. */
  state: z.string(),
  /** Nothing, StartIfRunning or Start. */
  automaticStartAction: z.string(),
  automaticStartDelaySeconds: z.number(),
  processorCount: z.number().nullable(),
  /** Memory the VM holds now (0 when off); null when not read. */
  memoryAssignedBytes: z.number().nullable(),
  memoryStartupBytes: z.number().nullable(),
  /** The VM's folder (Get-VM Path). */
  path: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
});
export type HypervVm = z.infer<typeof HypervVmSchema>;

export const HypervCheckpointSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  vmName: z.string(),
  name: z.string(),
  /** Unix seconds; null when not read. */
  creationTime: z.number().nullable(),
  parentId: z.string().nullable(),
  /** SnapshotType by name: Standard, Recovery, Planned, Missing, Replica, ... */
  snapshotType: z.string(),
});
export type HypervCheckpoint = z.infer<typeof HypervCheckpointSchema>;

/** A hard disk drive of a VM (checkpointId null) or of one of its checkpoints. */
export const HypervDriveSchema = z.object({
  vmId: z.string(),
  checkpointId: z.string().nullable(),
  path: z.string(),
});
export type HypervDrive = z.infer<typeof HypervDriveSchema>;

/** One virtual disk file of a chain, from Get-VHD. */
export const HypervVhdSchema = z.object({
  path: z.string(),
  parentPath: z.string().nullable(),
  /** Fixed, Dynamic or Differencing. */
  vhdType: z.string().nullable(),
  /** VHD, VHDX or VHDSet. */
  vhdFormat: z.string().nullable(),
  fileSizeBytes: z.number().nullable(),
  attached: z.boolean().nullable(),
  /** Why Get-VHD failed on it (the file is missing, locked); null when it worked. */
  error: z.string().nullable(),
});
export type HypervVhd = z.infer<typeof HypervVhdSchema>;

export const HypervWorkerSchema = z.object({
  pid: z.number(),
  /** The GUID of the VM it runs, from its command line, lower-case; null when the command line is unreadable. */
  vmId: z.string().nullable(),
  commandLine: z.string().nullable(),
  /** Unix seconds. */
  startTime: z.number().nullable(),
  workingSetBytes: z.number().nullable(),
});
export type HypervWorker = z.infer<typeof HypervWorkerSchema>;

/** A Host Compute Service system (WSL2, Docker Desktop, containers' utility VMs): runs in vmwp.exe, not in Get-VM. */
export const HypervComputeSystemSchema = z.object({
  id: z.string(),
  owner: z.string().nullable(),
  type: z.string().nullable(),
});
export type HypervComputeSystem = z.infer<typeof HypervComputeSystemSchema>;

export const HypervFileSchema = z.object({
  path: z.string(),
  sizeBytes: z.number(),
  /** Unix seconds (LastWriteTime). */
  modified: z.number(),
});
export type HypervFile = z.infer<typeof HypervFileSchema>;

export const HypervDirScanSchema = z.object({
  dir: z.string(),
  /** Why listing it failed or was incomplete; null when it worked. */
  error: z.string().nullable(),
  files: z.array(HypervFileSchema),
});
export type HypervDirScan = z.infer<typeof HypervDirScanSchema>;

export const HypervFileScanSchema = z.object({
  /** Unix seconds when the directories were last listed; null when never. */
  scannedAt: z.number().nullable(),
  error: z.string().nullable(),
  dirs: z.array(HypervDirScanSchema),
});
export type HypervFileScan = z.infer<typeof HypervFileScanSchema>;

export const HypervHostSchema = z.object({
  name: z.string(),
  /** Unix seconds (Win32_OperatingSystem LastBootUpTime). */
  bootTime: z.number().nullable(),
  /** The collector ran elevated; without it Win32_Process.CommandLine reads as null. */
  elevated: z.boolean(),
  /** Whether Host Compute Service systems could be listed (Get-ComputeProcess or hcsdiag). */
  computeSystemsListed: z.boolean(),
  powershellVersion: z.string(),
});
export type HypervHost = z.infer<typeof HypervHostSchema>;

export const HypervSectionSchema = z.object({
  host: HypervHostSchema,
  vms: z.array(HypervVmSchema),
  checkpoints: z.array(HypervCheckpointSchema),
  drives: z.array(HypervDriveSchema),
  vhds: z.array(HypervVhdSchema),
  workers: z.array(HypervWorkerSchema),
  computeSystems: z.array(HypervComputeSystemSchema),
  files: HypervFileScanSchema,
  /** Records or reads that failed, and warnings the script printed; counted, never fatal. */
  problems: z.array(z.string()),
});
export type HypervSection = z.infer<typeof HypervSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    hyperv: HypervSection;
  }
}
