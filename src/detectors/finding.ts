// The Finding every detector returns, and the Detector contract. Evidence is typed per kind: add a
// kind by adding its evidence to EvidenceByKind (and its catalog entry, which the compiler demands).
import type { Config } from '../config/flags.js';
import type { SectionName, Snapshot } from '../snapshot/snapshot.js';
import type { QemuWithoutDomainEvidence } from './qemu-without-domain.js';
import type { DomainWithoutProcessEvidence } from './domain-without-process.js';
import type { AutostartNotRunningEvidence } from './autostart-not-running.js';
import type { DomainStateEvidence } from './domain-state-evidence.js';
import type { ImageLockEvidence } from './lib/image-locks.js';
import type { StuckDeletionEvidence } from './kubevirt-stuck-deletion.js';
import type { VmStuckStatusEvidence } from './kubevirt-vm-stuck-status.js';
import type { LauncherOrphanEvidence } from './virt-launcher-pod-orphaned.js';
import type { FreezeLoopEvidence } from './kubevirt-freeze-loop.js';
import type { BackupErrorEvidence } from './kubevirt-backup-error.js';
import type { VirtHandlerMemoryEvidence } from './virt-handler-memory-near-limit.js';
import type { VsphereVmOrphanedEvidence } from './vsphere-vm-orphaned.js';
import type { VsphereVmInaccessibleEvidence } from './vsphere-vm-inaccessible.js';
import type { VsphereVmOnUnreachableHostEvidence } from './vsphere-vm-on-unreachable-host.js';
import type { VsphereConsolidationNeededEvidence } from './vsphere-consolidation-needed.js';
import type { VsphereSnapshotStaleEvidence } from './vsphere-snapshot-stale.js';
import type { VsphereSnapshotChainDeepEvidence } from './vsphere-snapshot-chain-deep.js';
import type { VsphereUnregisteredVmFolderEvidence } from './vsphere-unregistered-vm-folder.js';
import type { VsphereOrphanDiskEvidence } from './vsphere-orphan-disk.js';
import type { VsphereAutostartVmNotRunningEvidence } from './vsphere-autostart-vm-not-running.js';
import type { OrphanImageEvidence } from './orphan-image.js';
import type { BackingChainMissingLinkEvidence } from './backing-chain-missing-link.js';
import type { SnapshotChainDeepEvidence } from './snapshot-chain-deep.js';
import type { VfioDeviceWithoutDomainEvidence } from './vfio-device-without-domain.js';
import type { VfioGroupHeldByForeignProcessEvidence } from './vfio-group-held-by-foreign-process.js';
import type { MdevWithoutDomainEvidence } from './mdev-without-domain.js';
import type { HugepagesReservedWithoutDomainEvidence } from './hugepages-reserved-without-domain.js';
import type { TapWithoutDomainEvidence } from './tap-without-domain.js';

export interface EvidenceByKind {
  qemu_without_domain: QemuWithoutDomainEvidence;
  domain_without_process: DomainWithoutProcessEvidence;
  autostart_not_running: AutostartNotRunningEvidence;
  domain_paused: DomainStateEvidence;
  domain_stuck_shutting_down: DomainStateEvidence;
  domain_crashed: DomainStateEvidence;
  image_locked_by_foreign_process: ImageLockEvidence;
  image_locked_while_domain_inactive: ImageLockEvidence;
  kubevirt_stuck_deletion: StuckDeletionEvidence;
  kubevirt_vm_stuck_status: VmStuckStatusEvidence;
  virt_launcher_pod_orphaned: LauncherOrphanEvidence;
  kubevirt_freeze_loop: FreezeLoopEvidence;
  kubevirt_backup_error: BackupErrorEvidence;
  virt_handler_memory_near_limit: VirtHandlerMemoryEvidence;
  vsphere_vm_orphaned: VsphereVmOrphanedEvidence;
  vsphere_vm_inaccessible: VsphereVmInaccessibleEvidence;
  vsphere_vm_on_unreachable_host: VsphereVmOnUnreachableHostEvidence;
  vsphere_consolidation_needed: VsphereConsolidationNeededEvidence;
  vsphere_snapshot_stale: VsphereSnapshotStaleEvidence;
  vsphere_snapshot_chain_deep: VsphereSnapshotChainDeepEvidence;
  vsphere_unregistered_vm_folder: VsphereUnregisteredVmFolderEvidence;
  vsphere_orphan_disk: VsphereOrphanDiskEvidence;
  vsphere_autostart_vm_not_running: VsphereAutostartVmNotRunningEvidence;
  orphan_image: OrphanImageEvidence;
  backing_chain_missing_link: BackingChainMissingLinkEvidence;
  snapshot_chain_deep: SnapshotChainDeepEvidence;
  vfio_device_without_domain: VfioDeviceWithoutDomainEvidence;
  vfio_group_held_by_foreign_process: VfioGroupHeldByForeignProcessEvidence;
  mdev_without_domain: MdevWithoutDomainEvidence;
  hugepages_reserved_without_domain: HugepagesReservedWithoutDomainEvidence;
  tap_without_domain: TapWithoutDomainEvidence;
}

export type FindingKind = keyof EvidenceByKind;

/** What giving the resource back would free. Capacity dashboards sum these. */
export interface Reclaimable {
  vcpus?: number;
  memoryBytes?: number;
  diskBytes?: number;
  devices?: number;
}

export interface FindingOf<K extends FindingKind> {
  kind: K;
  /** The resource, readable by a person: "domain web-1 (uuid)", an image path, a PCI address. */
  subject: string;
  /** Low-cardinality identifying labels for the per-finding series (names declared in the catalog). */
  labels: Record<string, string>;
  /** When the detector knows the state began (a process start time, a deletionTimestamp); else null. */
  since: number | null;
  reclaimable: Reclaimable;
  /** Facts a person can check by hand; shown on the findings page, never as metric labels. */
  evidence: EvidenceByKind[K];
  /**
   * Resources this finding concerns (`pid:5756`, `file:/path`, `domain:<uuid>`): findings that share
   * one are linked to each other, so a ghost qemu and the lock it holds point at each other.
   */
  refs?: string[];
}

export type Finding = { [K in FindingKind]: FindingOf<K> }[FindingKind];

/** Options detectors read; all time values in seconds. */
export interface DetectOptions {
  shutdownGraceSeconds: number;
  pausedGraceSeconds: number;
  autostartGraceSeconds: number;
  freezeWindowSeconds: number;
  freezeMaxPerWindow: number;
  virtHandlerMemoryPercent: number;
  snapshotMaxAgeSeconds: number;
  snapshotMaxDepth: number;
  orphanMinAgeSeconds: number;
  /** Chains deeper than this (layers, active one included) are reported. */
  maxChainDepth: number;
}

export function detectOptionsFrom(config: Config): DetectOptions {
  return {
    shutdownGraceSeconds: config['detect.shutdown-grace'],
    pausedGraceSeconds: config['detect.paused-grace'],
    autostartGraceSeconds: config['detect.autostart-grace'],
    freezeWindowSeconds: config['detect.freeze-window'],
    freezeMaxPerWindow: config['detect.freeze-max-per-window'],
    virtHandlerMemoryPercent: config['detect.virt-handler-memory-percent'],
    snapshotMaxAgeSeconds: config['detect.snapshot-max-age'],
    snapshotMaxDepth: config['detect.snapshot-max-depth'],
    orphanMinAgeSeconds: config['detect.orphan-min-age'],
    maxChainDepth: config['detect.max-chain-depth'],
  };
}

export interface DetectContext {
  /** Unix seconds; detectors never read the clock. */
  now: number;
  options: DetectOptions;
}

export interface Detector<K extends FindingKind = FindingKind> {
  kind: K;
  /** Sections that must be fresh for this detector to run; otherwise its last findings are kept. */
  needs: readonly SectionName[];
  detect(snapshot: Snapshot, ctx: DetectContext): Array<FindingOf<K>>;
}
