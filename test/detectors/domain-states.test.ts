// domain_paused, domain_stuck_shutting_down, domain_crashed: each state against its look-alikes.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { domainPaused } from '../../src/detectors/domain-paused.js';
import { domainStuckShuttingDown } from '../../src/detectors/domain-stuck-shutting-down.js';
import { domainCrashed } from '../../src/detectors/domain-crashed.js';
import type { Domain } from '../../src/snapshot/libvirt.js';
import { CTX, domain, libvirtSection, snapshot } from '../support/builders.js';

const GiB = 1024 ** 3;
const d = (name: string, state: Domain['state'], reason: string) =>
  domain({ name, state, reason, vcpus: 4, memoryBytes: 8 * GiB });
const ALL = [
  d('run', 'running', 'booted'),
  d('pause-user', 'paused', 'user'),
  d('pause-io', 'paused', 'ioerror'),
  d('down', 'shutdown', 'user'),
  d('off-clean', 'shutoff', 'shutdown'),
  d('off-destroyed', 'shutoff', 'destroyed'),
  d('off-crash', 'shutoff', 'crashed'),
  d('off-failed', 'shutoff', 'failed'),
  d('crashed-kept', 'crashed', 'panicked'),
  d('pm', 'pmsuspended', 'unknown'),
];
const s = snapshot({ libvirt: libvirtSection(ALL) });
const subjects = (fs: Array<{ labels: Record<string, string> }>) => fs.map((f) => f.labels.domain);

describe('domain state kinds', () => {
  it('domain_paused: paused domains only, reason as label, memory and vCPUs reclaimable', () => {
    const findings = domainPaused.detect(s, CTX);
    assert.deepEqual(subjects(findings), ['pause-user', 'pause-io']);
    assert.deepEqual(findings[1]?.labels.reason, 'ioerror');
    assert.deepEqual(findings[0]?.reclaimable, { vcpus: 4, memoryBytes: 8 * GiB });
  });

  it('domain_stuck_shutting_down: "in shutdown" only (the grace is applied by the engine)', () => {
    assert.deepEqual(subjects(domainStuckShuttingDown.detect(s, CTX)), ['down']);
  });

  it('domain_crashed: crashed, or shut off by a crash or failure; a normal shutdown or destroy is silent', () => {
    const findings = domainCrashed.detect(s, CTX);
    assert.deepEqual(subjects(findings), ['off-crash', 'off-failed', 'crashed-kept']);
    // Only a crashed domain kept for a dump still holds memory.
    assert.deepEqual(
      findings.map((f) => f.reclaimable),
      [{}, {}, { vcpus: 4, memoryBytes: 8 * GiB }],
    );
  });

  it('no libvirt section, no findings', () => {
    const empty = snapshot({});
    assert.deepEqual(
      [
        ...domainPaused.detect(empty, CTX),
        ...domainStuckShuttingDown.detect(empty, CTX),
        ...domainCrashed.detect(empty, CTX),
      ],
      [],
    );
  });
});
