// Which files each domain references (active layers and backing chains), and which processes may
// legitimately lock them: the qemu of an active domain that references the file, and virtlockd.
import type { Domain, FileStat, LibvirtSection } from '../../snapshot/libvirt.js';
import type { ProcfsSection } from '../../snapshot/procfs.js';
import { indexDomainProcesses, isActive } from '../../views/domain-processes.js';
import { LockTable, type ImageLockEvidence, type LockHolder } from '../../views/image-locks.js';
import type { DetectorFinding } from '../detector.js';
import { memoByIdentity } from '../../views/memo.js';

/** Every host path a domain's disks use, active layer first, then backing files. */
export function domainFiles(d: Domain): string[] {
  const paths: string[] = [];
  for (const disk of d.disks) {
    if (disk.source !== null) paths.push(disk.source);
    paths.push(...disk.backingChain);
  }
  return [...new Set(paths)];
}

export interface FileUse {
  file: FileStat;
  domains: Domain[];
}

/** Files referenced by domains, each with the domains that reference it. */
export function filesInUse(libvirt: LibvirtSection): FileUse[] {
  const stats = new Map(libvirt.files.map((f) => [f.path, f]));
  const uses = new Map<string, FileUse>();
  for (const d of libvirt.domains) {
    for (const path of domainFiles(d)) {
      const file = stats.get(path);
      if (!file) continue;
      const use = uses.get(path);
      if (use) use.domains.push(d);
      else uses.set(path, { file, domains: [d] });
    }
  }
  return [...uses.values()];
}

/** Decides whether a lock holder is entitled to lock a file. */
export function legitimateHolder(
  libvirt: LibvirtSection,
  procfs: ProcfsSection,
): (holder: LockHolder, use: FileUse) => boolean {
  const index = indexDomainProcesses(libvirt.domains, procfs);
  const comms = new Map(procfs.processes.map((p) => [p.pid, p.comm]));
  return (holder, use) => {
    // virtlockd holds leases on images for running guests when lock_manager = "lockd".
    if (comms.get(holder.pid) === 'virtlockd' && use.domains.some(isActive)) return true;
    return use.domains.some(
      (d) => isActive(d) && index.processOf.get(d.uuid.toLowerCase())?.process.pid === holder.pid,
    );
  };
}

export function describeDomain(d: Domain): string {
  return `${d.name} (${d.uuid}) ${d.state}`;
}

export interface StrayLock {
  use: FileUse;
  /** Holders that are neither the qemu of an active domain using the file nor virtlockd. */
  stray: LockHolder[];
}

/**
 * Every file a domain uses that someone locks without being entitled to (local libvirt only).
 * Once per snapshot: both image-lock kinds read it.
 */
export const strayLocks = memoByIdentity(findStrayLocks);

function findStrayLocks(libvirt: LibvirtSection, procfs: ProcfsSection): StrayLock[] {
  if (!libvirt.local) return [];
  const locks = new LockTable(procfs);
  const legit = legitimateHolder(libvirt, procfs);
  return filesInUse(libvirt).flatMap((use) => {
    const stray = locks.holdersOf(use.file).filter((h) => !legit(h, use));
    return stray.length ? [{ use, stray }] : [];
  });
}

/** The finding both image-lock kinds raise, labelled by the domain that makes it that kind. */
export function imageLockFinding<K extends 'image_locked_by_foreign_process' | 'image_locked_while_domain_inactive'>(
  kind: K,
  { use, stray }: StrayLock,
  labelled: Domain,
): DetectorFinding<K, ImageLockEvidence, ImageLockLabel> {
  return {
    kind,
    subject: use.file.path,
    labels: { image: use.file.path, domain: labelled.name, uuid: labelled.uuid },
    since: null,
    reclaimable: {},
    evidence: { image: use.file.path, domains: use.domains.map(describeDomain), holders: stray },
    refs: stray.map((h) => `pid:${h.pid}`),
  };
}

export type ImageLockLabel = 'image' | 'domain' | 'uuid';
