// The Hyper-V family's catalog entries (spread into CATALOG_ENTRIES). Each first diagnosis command
// is a read-only PowerShell line to run on the Hyper-V host itself.
import type { KindEntry } from './kind-spec.js';
import { hypervGhostWorker } from '../detectors/hyperv-ghost-worker.js';
import { hypervVmCritical } from '../detectors/hyperv-vm-critical.js';
import { hypervCheckpointStale } from '../detectors/hyperv-checkpoint-stale.js';
import { hypervCheckpointChainDeep } from '../detectors/hyperv-checkpoint-chain-deep.js';
import { hypervLeftoverAvhdx } from '../detectors/hyperv-leftover-avhdx.js';
import { hypervOrphanVhdx } from '../detectors/hyperv-orphan-vhdx.js';
import { hypervAutostartVmNotRunning } from '../detectors/hyperv-autostart-vm-not-running.js';

export const HYPERV_CATALOG_ENTRIES = {
  hyperv_ghost_worker: {
    detector: hypervGhostWorker,
    title: 'Hyper-V worker process (vmwp.exe) whose VM no longer exists',
    description:
      'A vmwp.exe worker process runs for a VM GUID that Get-VM does not list and that is no Host Compute Service ' +
      'system (WSL2, Docker Desktop, containers): the worker outlived its VM and keeps its memory.',
    diagnose:
      'Get-CimInstance Win32_Process -Filter "ProcessId={{pid}}" | ' +
      'Format-List ProcessId,CommandLine,CreationDate,WorkingSetSize',
    scope: 'hyperv',
    reclaims: ['memoryBytes'],
    alert: {
      name: 'VMZombieHypervGhostWorker',
      severity: 'warning',
      for: '15m',
      summary: 'vmwp.exe pid {{ $labels.pid }} runs for VM {{ $labels.vm_id }}, which Hyper-V does not list',
    },
  },
  hyperv_vm_critical: {
    detector: hypervVmCritical,
    title: 'Hyper-V VM in a Critical state (its storage is unreachable or full)',
    description:
      'A Hyper-V VM is in a *Critical state: Hyper-V cannot reach the storage of its configuration or disks, or ' +
      'paused it because the volume of its disks has less than 200 MB free. The guest is down or frozen.',
    diagnose: 'Get-VM -Name {{vm}} | Format-List Name,Id,State,Path; Get-VM -Name {{vm}} | Get-VMHardDiskDrive',
    scope: 'hyperv',
    reclaims: [],
    alert: {
      name: 'VMZombieHypervVmCritical',
      severity: 'critical',
      for: '5m',
      summary: 'Hyper-V VM {{ $labels.vm }} is {{ $labels.state }}',
    },
  },
  hyperv_checkpoint_stale: {
    detector: hypervCheckpointStale,
    title: 'Hyper-V checkpoint older than the maximum age',
    description:
      'A Hyper-V checkpoint is older than the maximum checkpoint age: its differencing disk (.avhdx) takes every ' +
      'write of the VM and keeps growing until the checkpoint is deleted and merged.',
    diagnose: 'Get-VMSnapshot -VMName {{vm}} | Format-Table Name,Id,SnapshotType,CreationTime,ParentSnapshotName',
    scope: 'hyperv',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieHypervCheckpointStale',
      severity: 'warning',
      for: '1h',
      summary: 'checkpoint {{ $labels.checkpoint }} of Hyper-V VM {{ $labels.vm }} is older than allowed',
    },
  },
  hyperv_checkpoint_chain_deep: {
    detector: hypervCheckpointChainDeep,
    title: 'Hyper-V checkpoint tree deeper than the maximum depth',
    description:
      "A Hyper-V VM's checkpoint tree is deeper than the maximum depth: every read may walk that many " +
      'differencing disks, and deleting them later means long merges.',
    diagnose: 'Get-VMSnapshot -VMName {{vm}} | Format-Table Name,Id,ParentSnapshotName,CreationTime',
    scope: 'hyperv',
    reclaims: [],
    alert: {
      name: 'VMZombieHypervCheckpointChainDeep',
      severity: 'warning',
      for: '1h',
      summary: 'Hyper-V VM {{ $labels.vm }} has a deep checkpoint chain',
    },
  },
  hyperv_leftover_avhdx: {
    detector: hypervLeftoverAvhdx,
    title: 'Hyper-V VM runs on a differencing disk (.avhdx) although it has no checkpoint',
    description:
      "A Hyper-V VM's disk chain still holds a differencing disk (.avhdx) although the VM has no checkpoint: a merge " +
      'never ran or failed, often after a backup. The file keeps growing and the chain stays fragile.',
    diagnose: 'Get-VHD -Path {{subject}} | Format-List Path,VhdType,ParentPath,FileSize,Attached',
    scope: 'hyperv',
    reclaims: [],
    alert: {
      name: 'VMZombieHypervLeftoverAvhdx',
      severity: 'warning',
      for: '30m',
      summary: 'Hyper-V VM {{ $labels.vm }} runs on a leftover .avhdx with no checkpoint',
    },
  },
  hyperv_orphan_vhdx: {
    detector: hypervOrphanVhdx,
    title: 'virtual disk file in a Hyper-V VM directory that no VM or checkpoint uses',
    description:
      'A virtual disk file (.vhdx, .vhd, .avhdx) in a VM directory is used by no VM or checkpoint, directly or as a ' +
      'parent in a chain, and was last written longer ago than the orphan age: Remove-VM keeps disks by design, and ' +
      'their space is never given back.',
    diagnose: 'Get-VHD -Path {{subject}} | Format-List Path,VhdType,ParentPath,FileSize,Attached',
    scope: 'hyperv',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieHypervOrphanVhdx',
      severity: 'info',
      for: '1h',
      summary: 'virtual disk {{ $labels.subject }} is used by no Hyper-V VM',
    },
  },
  hyperv_autostart_vm_not_running: {
    detector: hypervAutostartVmNotRunning,
    title: 'Hyper-V VM set to always start with the host is off',
    description:
      'A Hyper-V VM whose automatic start action is Start is off although the host has been up longer than its ' +
      'start delay: it did not come back after the host restarted.',
    diagnose: 'Get-VM -Name {{vm}} | Format-List Name,State,AutomaticStartAction,AutomaticStartDelay',
    scope: 'hyperv',
    reclaims: [],
    alert: {
      name: 'VMZombieHypervAutostartVmNotRunning',
      severity: 'warning',
      for: '10m',
      summary: 'Hyper-V VM {{ $labels.vm }} should have started with its host',
    },
  },
} as const satisfies Record<string, KindEntry>;
