// domain_stuck_shutting_down: "in shutdown" past --detect.shutdown-grace. The guest ignored the
// ACPI request or hangs on the way down, and keeps its memory and vCPUs meanwhile.
import type { DomainStateEvidence } from './domain-state-evidence.js';
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { domainStateEvidence, domainSubject } from './domain-state-evidence.js';

export const domainStuckShuttingDown: Detector<
  'domain_stuck_shutting_down',
  DomainStateEvidence,
  'domain' | 'uuid',
  'detect.shutdown-grace'
> = {
  kind: 'domain_stuck_shutting_down',
  labels: ['domain', 'uuid'],
  knobs: {
    'detect.shutdown-grace': duration(
      '5m',
      'How long a domain may stay "in shutdown" before domain_stuck_shutting_down.',
    ),
  },
  grace: 'detect.shutdown-grace',
  needs: ['libvirt'],
  detect(s) {
    return (s.libvirt?.domains ?? [])
      .filter((d) => d.state === 'shutdown')
      .map((d) => ({
        kind: 'domain_stuck_shutting_down',
        subject: domainSubject(d),
        labels: { domain: d.name, uuid: d.uuid },
        since: null,
        reclaimable: { vcpus: d.vcpus, memoryBytes: d.memoryBytes },
        evidence: domainStateEvidence(d),
      }));
  },
};
