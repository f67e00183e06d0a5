// domain_paused: a paused guest still holds all its memory. Pauses during migration, save or a
// snapshot pass within seconds; the grace (--detect.paused-grace) keeps those silent.
import type { DomainStateEvidence } from './domain-state-evidence.js';
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { domainStateEvidence, domainSubject } from './domain-state-evidence.js';

export const domainPaused: Detector<
  'domain_paused',
  DomainStateEvidence,
  'domain' | 'uuid' | 'reason',
  'detect.paused-grace'
> = {
  kind: 'domain_paused',
  labels: ['domain', 'uuid', 'reason'],
  knobs: { 'detect.paused-grace': duration('5m', 'How long a domain may stay paused before domain_paused.') },
  grace: 'detect.paused-grace',
  needs: ['libvirt'],
  detect(s) {
    return (s.libvirt?.domains ?? [])
      .filter((d) => d.state === 'paused')
      .map((d) => ({
        kind: 'domain_paused',
        subject: domainSubject(d),
        labels: { domain: d.name, uuid: d.uuid, reason: d.reason },
        since: null,
        reclaimable: { vcpus: d.vcpus, memoryBytes: d.memoryBytes },
        evidence: domainStateEvidence(d),
      }));
  },
};
