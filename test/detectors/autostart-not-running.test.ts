import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { autostartNotRunning } from '../../src/detectors/autostart-not-running.js';
import { CTX, NOW, domain, libvirtSection, proc, procfsSection, running, snapshot } from '../support/builders.js';

const libvirtd = (startedAgo: number) =>
  proc(300, ['/usr/sbin/libvirtd', '--timeout', '120'], { comm: 'libvirtd', startTimeSeconds: NOW - startedAgo });
const bootedAgo = (s: number, processes = [libvirtd(s)]) => procfsSection(processes, { bootTimeSeconds: NOW - s });

describe('autostart_not_running', () => {
  const domains = [
    domain({ name: 'auto-off', autostart: true, state: 'shutoff', reason: 'unknown' }),
    running('auto-on', 400, { autostart: true }),
    domain({ name: 'manual-off', autostart: false }),
    domain({ name: 'auto-paused', autostart: true, state: 'paused', reason: 'user' }),
  ];

  it('flags an autostart domain that is off once host and libvirtd are up past the grace', () => {
    const findings = autostartNotRunning.detect(
      snapshot({ libvirt: libvirtSection(domains), procfs: bootedAgo(3600) }),
      CTX,
    );
    assert.deepEqual(
      findings.map((f) => f.labels.domain),
      ['auto-off'],
    );
    assert.deepEqual(findings[0]?.evidence, {
      state: 'shutoff',
      reason: 'unknown',
      hostBootTime: NOW - 3600,
      libvirtdStartTime: NOW - 3600,
    });
  });

  it('is silent right after a host boot (guests are still being started)', () => {
    assert.deepEqual(
      autostartNotRunning.detect(snapshot({ libvirt: libvirtSection(domains), procfs: bootedAgo(120) }), CTX),
      [],
    );
  });

  it('is silent right after libvirtd (or virtqemud) restarted, even on a long-up host', () => {
    const procfs = procfsSection(
      [proc(301, ['/usr/sbin/virtqemud'], { comm: 'virtqemud', startTimeSeconds: NOW - 60 })],
      { bootTimeSeconds: NOW - 86400 },
    );
    assert.deepEqual(autostartNotRunning.detect(snapshot({ libvirt: libvirtSection(domains), procfs }), CTX), []);
  });

  it('against a remote libvirt it cannot see uptimes and relies on the grace of the engine alone', () => {
    const findings = autostartNotRunning.detect(
      snapshot({ libvirt: libvirtSection(domains, [], { local: false }) }),
      CTX,
    );
    assert.deepEqual(
      findings.map((f) => f.labels.domain),
      ['auto-off'],
    );
  });
});
