// domain_crashed: crashed (qemu kept for a dump: still holds memory) or shut off because it crashed
// or failed to start. Shut off for any other reason is a normal, quiet state.
import type { DomainStateEvidence } from './domain-state-evidence.js';
import type { Detector } from './detector.js';
import { domainStateEvidence, domainSubject } from './domain-state-evidence.js';

const CRASH_REASONS = new Set(['crashed', 'failed']);

export const domainCrashed: Detector<'domain_crashed', DomainStateEvidence, 'domain' | 'uuid' | 'reason'> = {
  kind: 'domain_crashed',
  labels: ['domain', 'uuid', 'reason'],
  needs: ['libvirt'],
  detect(s) {
    return (s.libvirt?.domains ?? [])
      .filter((d) => d.state === 'crashed' || (d.state === 'shutoff' && CRASH_REASONS.has(d.reason)))
      .map((d) => ({
        kind: 'domain_crashed',
        subject: domainSubject(d),
        labels: { domain: d.name, uuid: d.uuid, reason: d.reason },
        since: null,
        reclaimable: d.state === 'crashed' ? { vcpus: d.vcpus, memoryBytes: d.memoryBytes } : {},
        evidence: domainStateEvidence(d),
      }));
  },
};
