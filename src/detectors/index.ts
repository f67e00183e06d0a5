// Every detector, listed explicitly (a test checks this list against the folder and the catalog).
import type { Detector, FindingKind } from './finding.js';
import { qemuWithoutDomain } from './qemu-without-domain.js';
import { domainWithoutProcess } from './domain-without-process.js';
import { autostartNotRunning } from './autostart-not-running.js';
import { domainPaused } from './domain-paused.js';
import { domainStuckShuttingDown } from './domain-stuck-shutting-down.js';
import { domainCrashed } from './domain-crashed.js';
import { imageLockedByForeignProcess } from './image-locked-by-foreign-process.js';
import { imageLockedWhileDomainInactive } from './image-locked-while-domain-inactive.js';
import { kubevirtStuckDeletion } from './kubevirt-stuck-deletion.js';
import { kubevirtVmStuckStatus } from './kubevirt-vm-stuck-status.js';
import { virtLauncherPodOrphaned } from './virt-launcher-pod-orphaned.js';
import { kubevirtFreezeLoop } from './kubevirt-freeze-loop.js';
import { kubevirtBackupError } from './kubevirt-backup-error.js';
import { virtHandlerMemoryNearLimit } from './virt-handler-memory-near-limit.js';

export const DETECTORS: ReadonlyArray<Detector<FindingKind>> = [
  qemuWithoutDomain,
  domainWithoutProcess,
  autostartNotRunning,
  domainPaused,
  domainStuckShuttingDown,
  domainCrashed,
  imageLockedByForeignProcess,
  imageLockedWhileDomainInactive,
  kubevirtStuckDeletion,
  kubevirtVmStuckStatus,
  virtLauncherPodOrphaned,
  kubevirtFreezeLoop,
  kubevirtBackupError,
  virtHandlerMemoryNearLimit,
] as ReadonlyArray<Detector<FindingKind>>;
