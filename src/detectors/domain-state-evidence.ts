// Evidence shared by the kinds that read a domain's own state (paused, in shutdown, crashed).
import type { Domain } from '../snapshot/libvirt.js';

export interface DomainStateEvidence {
  state: string;
  reason: string;
  vcpus: number;
  memoryBytes: number;
  pid: number | null;
}

export function domainStateEvidence(d: Domain): DomainStateEvidence {
  return { state: d.state, reason: d.reason, vcpus: d.vcpus, memoryBytes: d.memoryBytes, pid: d.pid };
}

export function domainSubject(d: Domain): string {
  return `${d.name} (${d.uuid})`;
}
