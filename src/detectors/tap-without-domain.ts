// tap_without_domain: a tap or macvtap interface that no running domain lists (<target dev=…>),
// left behind unheld (libvirt-style names vnetN/macvtapN only: an unheld tap0 an admin made is
// deliberate) or held only by qemu processes no running domain owns. A tap held by any other
// program (a VPN, a container runtime) is that program's business and stays silent.
import type { Detector, FindingFrom } from './detector.js';
import { indexDomainProcesses, isActive } from '../views/domain-processes.js';

export interface TapWithoutDomainEvidence {
  interface: string;
  kind: string;
  tunFlags: string | null;
  operstate: string | null;
  mac: string | null;
  holders: string[];
  /** Defined domains that list this interface or a guest MAC matching it (libvirt sets the tap MAC to fe:…). */
  matchingDomains: string[];
}

const LIBVIRT_NAME = /^(vnet|macvtap)\d+$/;

export const tapWithoutDomain: Detector<'tap_without_domain', TapWithoutDomainEvidence, 'interface' | 'type'> = {
  kind: 'tap_without_domain',
  labels: ['interface', 'type'],
  needs: ['sysfs', 'libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
  detect(s) {
    const { sysfs, libvirt, procfs } = s;
    if (!sysfs || !libvirt || !procfs) return [];
    const owned = new Set(
      libvirt.domains
        .filter(isActive)
        .flatMap((d) => d.interfaces.map((i) => i.targetDev).filter((n): n is string => n !== null)),
    );
    const index = indexDomainProcesses(libvirt.domains, procfs);
    const guestPids = new Set(index.qemus.map((q) => q.process.pid));
    const processes = new Map(procfs.processes.map((p) => [p.pid, p]));
    const findings: Array<FindingFrom<typeof tapWithoutDomain>> = [];
    for (const tap of sysfs.taps) {
      if (tap.kind === 'tun' || owned.has(tap.name)) continue;
      const holderPids = [...new Set(procfs.openFiles.filter((f) => f.tapInterface === tap.name).map((f) => f.pid))];
      if (holderPids.length === 0 && !LIBVIRT_NAME.test(tap.name)) continue;
      if (holderPids.some((pid) => !guestPids.has(pid) || index.ownedPids.has(pid))) continue;
      const macTail = tap.mac?.toLowerCase().slice(2) ?? null;
      const matching = libvirt.domains.filter((d) =>
        d.interfaces.some(
          (i) => i.targetDev === tap.name || (macTail !== null && i.mac?.toLowerCase().slice(2) === macTail),
        ),
      );
      findings.push({
        kind: 'tap_without_domain',
        subject: tap.name,
        labels: { interface: tap.name, type: tap.kind },
        since: null,
        reclaimable: {},
        evidence: {
          interface: tap.name,
          kind: tap.kind,
          tunFlags: tap.tunFlags === null ? null : `0x${tap.tunFlags.toString(16).padStart(4, '0')}`,
          operstate: tap.operstate,
          mac: tap.mac,
          holders: holderPids.map((pid) => {
            const p = processes.get(pid);
            return `pid ${pid} ${p?.comm ?? '(exited)'}`;
          }),
          matchingDomains: matching.map((d) => `${d.name} (${d.uuid}) ${d.state}`),
        },
      });
    }
    return findings;
  },
};
