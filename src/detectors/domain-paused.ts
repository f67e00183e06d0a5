// domain_paused: a paused guest still holds all its memory. Pauses during migration, save or a
// snapshot pass within seconds; the grace (--detect.paused-grace) keeps those silent.
import type { Detector } from './finding.js';
import { domainStateEvidence, domainSubject } from './domain-state-evidence.js';

export const domainPaused: Detector<'domain_paused'> = {
  kind: 'domain_paused',
  needs: ['libvirt'],
  detect(s) {
    return (s.libvirt?.domains ?? []).filter((d) => d.state === 'paused').map((d) => ({
      kind: 'domain_paused',
      subject: domainSubject(d),
      labels: { domain: d.name, uuid: d.uuid, reason: d.reason },
      since: null,
      reclaimable: { vcpus: d.vcpus, memoryBytes: d.memoryBytes },
      evidence: domainStateEvidence(d),
    }));
  },
};
