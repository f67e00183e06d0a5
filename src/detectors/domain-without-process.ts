// domain_without_process: libvirt reports a domain as active but no qemu process for it exists:
// libvirt's state disagrees with reality (its pid file points at nothing, or at another program).
import type { Detector, FindingFrom } from './detector.js';
import { indexDomainProcesses, isActive } from '../views/domain-processes.js';
import { commandLineText } from '../views/command-line-mask.js';

export interface DomainWithoutProcessEvidence {
  state: string;
  reason: string;
  /** The pid libvirt recorded for the domain, and what that pid is now. */
  recordedPid: number | null;
  recordedPidIs: string;
}

export const domainWithoutProcess: Detector<'domain_without_process', DomainWithoutProcessEvidence, 'domain' | 'uuid'> =
  {
    kind: 'domain_without_process',
    labels: ['domain', 'uuid'],
    needs: ['libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
    detect(s) {
      const { libvirt, procfs } = s;
      if (!libvirt || !procfs) return [];
      const index = indexDomainProcesses(libvirt.domains, procfs);
      const byPid = new Map(procfs.processes.map((p) => [p.pid, p]));
      const findings: Array<FindingFrom<typeof domainWithoutProcess>> = [];
      for (const d of libvirt.domains) {
        if (!isActive(d) || index.processOf.has(d.uuid.toLowerCase())) continue;
        const other = d.pid === null ? undefined : byPid.get(d.pid);
        findings.push({
          kind: 'domain_without_process',
          subject: `${d.name} (${d.uuid})`,
          labels: { domain: d.name, uuid: d.uuid },
          since: null,
          reclaimable: {},
          evidence: {
            state: d.state,
            reason: d.reason,
            recordedPid: d.pid,
            recordedPidIs:
              d.pid === null
                ? 'no pid file'
                : other
                  ? `${other.comm}: ${commandLineText(other.cmdline, 200)}`
                  : 'no such process',
          },
        });
      }
      return findings;
    },
  };
