// qemu_without_domain: a qemu guest process that no active libvirt domain owns. libvirt lost track
// of it (a crashed or restarted daemon, a half-finished destroy) or someone started it by hand; it
// still holds the guest's memory, vCPUs and disk locks. libvirt's capability probes are not guests.
import type { Detector, FindingOf } from './finding.js';
import { indexDomainProcesses } from './lib/domain-processes.js';

export interface QemuWithoutDomainEvidence {
  pid: number;
  comm: string;
  cmdline: string;
  startedAt: number;
  rssBytes: number | null;
  guestName: string | null;
  guestUuid: string | null;
  /** A defined domain with this name or uuid, and its state, when there is one. */
  definedDomain: string | null;
  /** Regular files the process holds open (its disks, usually). */
  openFiles: string[];
}

export const qemuWithoutDomain: Detector<'qemu_without_domain'> = {
  kind: 'qemu_without_domain',
  needs: ['libvirt', 'procfs'],
  detect(s) {
    const { libvirt, procfs } = s;
    // Against a remote libvirt, or when /proc hides other users' processes, absence proves nothing.
    if (!libvirt || !procfs || !libvirt.local || procfs.restricted) return [];
    const index = indexDomainProcesses(libvirt.domains, procfs);
    const findings: Array<FindingOf<'qemu_without_domain'>> = [];
    for (const { process: p, guest } of index.qemus) {
      if (index.ownedPids.has(p.pid)) continue;
      const defined = libvirt.domains.find((d) => (guest.uuid !== null && d.uuid.toLowerCase() === guest.uuid) || (guest.name !== null && d.name === guest.name));
      const label = guest.name ?? `pid ${p.pid}`;
      findings.push({
        kind: 'qemu_without_domain',
        subject: `${label} (pid ${p.pid})`,
        labels: { guest: guest.name ?? '', uuid: guest.uuid ?? '', pid: String(p.pid) },
        // Not the process start time: a guest's qemu can take many seconds to exit after
        // `virsh destroy` (freeing a large guest's memory), so the grace counts from first sight.
        since: null,
        reclaimable: { vcpus: guest.vcpus, memoryBytes: p.rssBytes ?? guest.memoryBytes ?? 0 },
        evidence: {
          pid: p.pid,
          comm: p.comm,
          cmdline: p.cmdline.join(' ').slice(0, 1024),
          startedAt: p.startTimeSeconds,
          rssBytes: p.rssBytes,
          guestName: guest.name,
          guestUuid: guest.uuid,
          definedDomain: defined ? `${defined.name} (${defined.uuid}) ${defined.state}` : null,
          openFiles: procfs.openFiles.filter((f) => f.pid === p.pid && f.target.startsWith('/')).map((f) => f.target),
        },
      });
    }
    return findings;
  },
};
