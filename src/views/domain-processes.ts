// Pairs libvirt's active domains with the qemu processes on the host: by the pid libvirt recorded,
// else by the -uuid / -name on a qemu command line. Shared by the process and lock detectors.
import type { Domain } from '../snapshot/libvirt.js';
import type { ProcessInfo, ProcfsSection } from '../snapshot/procfs.js';
import { isQemuProcess, parseQemuGuest, type QemuGuest } from './qemu-cmdline.js';
import { memoByIdentity } from './memo.js';

/** libvirt states in which a domain has (or should have) a qemu process. */
export const ACTIVE_STATES: ReadonlySet<Domain['state']> = new Set([
  'running',
  'blocked',
  'paused',
  'shutdown',
  'pmsuspended',
]);

export function isActive(d: Domain): boolean {
  return ACTIVE_STATES.has(d.state);
}

export interface QemuProcess {
  process: ProcessInfo;
  guest: QemuGuest;
}

export interface DomainProcessIndex {
  /** Every qemu process that is a guest (capability probes left out). */
  qemus: QemuProcess[];
  /** Active domain uuid → its qemu process, when one was found. */
  processOf: Map<string, QemuProcess>;
  /** Pids of qemu processes that belong to an active domain. */
  ownedPids: Set<number>;
}

/** Once per snapshot, however many detectors ask (the result must be treated as read-only). */
export const indexDomainProcesses = memoByIdentity(buildDomainProcessIndex);

function buildDomainProcessIndex(domains: readonly Domain[], procfs: ProcfsSection): DomainProcessIndex {
  const qemus: QemuProcess[] = [];
  for (const process of procfs.processes) {
    if (!isQemuProcess(process)) continue;
    const guest = parseQemuGuest(process);
    if (guest.capabilityProbe) continue;
    qemus.push({ process, guest });
  }
  const byPid = new Map(qemus.map((q) => [q.process.pid, q]));
  const processOf = new Map<string, QemuProcess>();
  const ownedPids = new Set<number>();
  for (const d of domains) {
    if (!isActive(d)) continue;
    const uuid = d.uuid.toLowerCase();
    let match = d.pid !== null ? byPid.get(d.pid) : undefined;
    // A recorded pid that now belongs to some other program (pid reuse) is not the domain's qemu.
    if (match && match.guest.uuid !== null && match.guest.uuid !== uuid) match = undefined;
    match ??=
      qemus.find((q) => q.guest.uuid === uuid) ?? qemus.find((q) => q.guest.uuid === null && q.guest.name === d.name);
    if (match) {
      processOf.set(uuid, match);
      ownedPids.add(match.process.pid);
    }
  }
  return { qemus, processOf, ownedPids };
}
