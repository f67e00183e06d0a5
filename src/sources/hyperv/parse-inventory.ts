// The inventory document of collect.ps1 (or a raw ConvertTo-Json of the same cmdlets, 5.1 or 7) into
// the hyperv section's records. Each record is checked on its own: a bad one becomes a problem, the
// others are kept. Localised fields (Status, StatusDescriptions) are never read.
import { z } from 'zod';
import type {
  HypervCheckpoint,
  HypervComputeSystem,
  HypervDrive,
  HypervHost,
  HypervVhd,
  HypervVm,
  HypervWorker,
} from '../../snapshot/hyperv.js';
import {
  asList,
  date,
  enumName,
  guid,
  normalizeGuid,
  num,
  optionalGuid,
  SNAPSHOT_TYPE,
  START_ACTION,
  text,
  VHD_FORMAT,
  VHD_TYPE,
  VM_STATE,
} from './values.js';

const VmRecord = z.object({
  Id: guid.optional(),
  VMId: guid.optional(),
  Name: z.string().optional(),
  VMName: z.string().optional(),
  State: enumName(VM_STATE),
  AutomaticStartAction: enumName(START_ACTION),
  AutomaticStartDelay: num,
  ProcessorCount: num,
  MemoryAssigned: num,
  MemoryStartup: num,
  Path: text,
  UptimeSeconds: num,
});

const CheckpointRecord = z.object({
  Id: guid,
  VMId: guid,
  VMName: z.string(),
  Name: z.string(),
  CreationTime: date,
  ParentSnapshotId: optionalGuid,
  SnapshotType: enumName(SNAPSHOT_TYPE),
});

const DriveRecord = z.object({ VMId: guid, VMSnapshotId: optionalGuid, Path: z.string().min(1) });

const VhdRecord = z.object({
  Path: z.string().min(1),
  ParentPath: text,
  VhdType: enumName(VHD_TYPE),
  VhdFormat: enumName(VHD_FORMAT),
  FileSize: num,
  Attached: z
    .boolean()
    .nullish()
    .transform((v) => v ?? null),
  Error: text,
});

const WorkerRecord = z.object({
  ProcessId: z.number(),
  CommandLine: text,
  CreationDate: date,
  WorkingSetSize: num,
});

const ComputeProcessRecord = z.object({ Id: guid, Owner: text, Type: enumName({}) });

const HostRecord = z.object({
  Name: z.string(),
  LastBootUpTime: date,
  Elevated: z.boolean(),
  PowerShellVersion: z.string(),
});

/** Parses each item of a list with `schema`; failures become problems naming the list and index. */
function records<S extends z.ZodType>(list: string, value: unknown, schema: S, problems: string[]): Array<z.output<S>> {
  const out: Array<z.output<S>> = [];
  for (const [i, item] of asList(value).entries()) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else problems.push(`${list}[${i}]: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  }
  return out;
}

export function parseVms(value: unknown, problems: string[]): HypervVm[] {
  const out: HypervVm[] = [];
  for (const [i, r] of records('vms', value, VmRecord, problems).entries()) {
    const id = r.Id ?? r.VMId;
    const name = r.Name ?? r.VMName;
    if (!id || name === undefined || r.State === null) {
      problems.push(`vms[${i}]: no Id, Name or State`);
      continue;
    }
    out.push({
      id,
      name,
      state: r.State,
      automaticStartAction: r.AutomaticStartAction ?? 'StartIfRunning',
      automaticStartDelaySeconds: r.AutomaticStartDelay ?? 0,
      processorCount: r.ProcessorCount,
      memoryAssignedBytes: r.MemoryAssigned,
      memoryStartupBytes: r.MemoryStartup,
      path: r.Path,
      uptimeSeconds: r.UptimeSeconds,
    });
  }
  return out;
}

export function parseCheckpoints(value: unknown, problems: string[]): HypervCheckpoint[] {
  return records('checkpoints', value, CheckpointRecord, problems).map((r) => ({
    id: r.Id,
    vmId: r.VMId,
    vmName: r.VMName,
    name: r.Name,
    creationTime: r.CreationTime,
    parentId: r.ParentSnapshotId,
    snapshotType: r.SnapshotType ?? 'Standard',
  }));
}

export function parseDrives(value: unknown, problems: string[]): HypervDrive[] {
  return records('drives', value, DriveRecord, problems).map((r) => ({
    vmId: r.VMId,
    checkpointId: r.VMSnapshotId,
    path: r.Path,
  }));
}

export function parseVhds(value: unknown, problems: string[]): HypervVhd[] {
  return records('vhds', value, VhdRecord, problems).map((r) => ({
    path: r.Path,
    parentPath: r.ParentPath,
    vhdType: r.VhdType,
    vhdFormat: r.VhdFormat,
    fileSizeBytes: r.FileSize,
    attached: r.Attached,
    error: r.Error,
  }));
}

/** A worker's command line: `"C:\Windows\System32\vmwp.exe" C17E3A9D-62D6-4AF3-BF98-54371869FA54 0x208`. */
export function workerVmId(commandLine: string | null): string | null {
  if (!commandLine) return null;
  const m = /vmwp\.exe"?\s+(\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?)/i.exec(commandLine);
  return m ? normalizeGuid(m[1] as string) : null;
}

export function parseWorkers(value: unknown, problems: string[]): HypervWorker[] {
  return records('workers', value, WorkerRecord, problems).map((r) => ({
    pid: r.ProcessId,
    vmId: workerVmId(r.CommandLine),
    commandLine: r.CommandLine,
    startTime: r.CreationDate,
    workingSetBytes: r.WorkingSetSize,
  }));
}

/**
 * `hcsdiag list`: each system's GUID on a line, then an indented "type, state, GUID, owner" line:
 * `    VM,                         Running, EED44DAF-4F7E-4CF5-82FD-F9C8EBF8DB82, WSL`. Lines without a
 * GUID (prompts, headers) are skipped.
 */
export function parseHcsdiagList(output: string): HypervComputeSystem[] {
  const byId = new Map<string, HypervComputeSystem>();
  for (const line of output.split(/\r?\n/)) {
    const detail = /^\s+([^,]+),\s*([^,]+),\s*(\S+),\s*(.*?)\s*$/.exec(line);
    const detailId = detail ? normalizeGuid(detail[3] as string) : null;
    if (detail && detailId) {
      byId.set(detailId, { id: detailId, owner: (detail[4] as string) || null, type: (detail[1] as string).trim() });
      continue;
    }
    const alone = normalizeGuid(line);
    if (alone && !byId.has(alone)) byId.set(alone, { id: alone, owner: null, type: null });
  }
  return [...byId.values()];
}

export function parseComputeProcesses(value: unknown, problems: string[]): HypervComputeSystem[] {
  return records('computeProcesses', value, ComputeProcessRecord, problems).map((r) => ({
    id: r.Id,
    owner: r.Owner,
    type: r.Type,
  }));
}

export function parseHost(value: unknown, computeSystemsListed: boolean): HypervHost {
  const r = HostRecord.safeParse(value);
  if (!r.success) {
    throw new Error(`the script's Host record is not readable: ${r.error.issues[0]?.message ?? 'unknown shape'}`);
  }
  return {
    name: r.data.Name,
    bootTime: r.data.LastBootUpTime,
    elevated: r.data.Elevated,
    computeSystemsListed,
    powershellVersion: r.data.PowerShellVersion,
  };
}
