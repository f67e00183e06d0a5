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
import { vsphereVmOrphaned } from './vsphere-vm-orphaned.js';
import { vsphereVmInaccessible } from './vsphere-vm-inaccessible.js';
import { vsphereVmOnUnreachableHost } from './vsphere-vm-on-unreachable-host.js';
import { vsphereConsolidationNeeded } from './vsphere-consolidation-needed.js';
import { vsphereSnapshotStale } from './vsphere-snapshot-stale.js';
import { vsphereSnapshotChainDeep } from './vsphere-snapshot-chain-deep.js';
import { vsphereUnregisteredVmFolder } from './vsphere-unregistered-vm-folder.js';
import { vsphereOrphanDisk } from './vsphere-orphan-disk.js';
import { vsphereAutostartVmNotRunning } from './vsphere-autostart-vm-not-running.js';
import { orphanImage } from './orphan-image.js';
import { backingChainMissingLink } from './backing-chain-missing-link.js';
import { snapshotChainDeep } from './snapshot-chain-deep.js';
import { vfioDeviceWithoutDomain } from './vfio-device-without-domain.js';
import { vfioGroupHeldByForeignProcess } from './vfio-group-held-by-foreign-process.js';
import { mdevWithoutDomain } from './mdev-without-domain.js';
import { hugepagesReservedWithoutDomain } from './hugepages-reserved-without-domain.js';
import { tapWithoutDomain } from './tap-without-domain.js';

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
  vsphereVmOrphaned,
  vsphereVmInaccessible,
  vsphereVmOnUnreachableHost,
  vsphereConsolidationNeeded,
  vsphereSnapshotStale,
  vsphereSnapshotChainDeep,
  vsphereUnregisteredVmFolder,
  vsphereOrphanDisk,
  vsphereAutostartVmNotRunning,
  orphanImage,
  backingChainMissingLink,
  snapshotChainDeep,
  vfioDeviceWithoutDomain,
  vfioGroupHeldByForeignProcess,
  mdevWithoutDomain,
  hugepagesReservedWithoutDomain,
  tapWithoutDomain,
] as ReadonlyArray<Detector<FindingKind>>;
