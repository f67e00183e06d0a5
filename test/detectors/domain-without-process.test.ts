import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { domainWithoutProcess } from '../../src/detectors/domain-without-process.js';
import {
  CTX,
  domain,
  libvirtQemu,
  libvirtSection,
  proc,
  procfsSection,
  running,
  snapshot,
} from '../support/builders.js';
import { skipReason } from '../support/judge.js';

const UUID = '33333333-3333-4333-8333-333333333333';

type Over = { local?: boolean; restricted?: boolean };
function host(
  domains: Parameters<typeof libvirtSection>[0],
  processes: Parameters<typeof procfsSection>[0],
  over: Over = {},
) {
  return snapshot({
    libvirt: libvirtSection(domains, [], {
      local: over.local ?? true,
      ...(over.local === false ? { uri: 'qemu+ssh://hv2/system' } : {}),
    }),
    procfs: procfsSection(processes, { restricted: over.restricted ?? false }),
  });
}
function detect(
  domains: Parameters<typeof libvirtSection>[0],
  processes: Parameters<typeof procfsSection>[0],
  over: Over = {},
) {
  return domainWithoutProcess.detect(host(domains, processes, over), CTX);
}

describe('domain_without_process', () => {
  it('a running domain with its qemu, and a shut-off domain without one, are silent', () => {
    assert.deepEqual(
      detect([running('web', 500, { uuid: UUID }), domain({ name: 'off' })], [libvirtQemu(500, 'web', UUID)]),
      [],
    );
  });

  it('a paused domain whose qemu is gone is flagged, with what its pid is now', () => {
    const findings = detect([running('web', 500, { uuid: UUID, state: 'paused', reason: 'user' })], []);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.subject, `web (${UUID})`);
    assert.deepEqual(findings[0]?.evidence, {
      state: 'paused',
      reason: 'user',
      recordedPid: 500,
      recordedPidIs: 'no such process',
    });
  });

  it("a pid file pointing at an unrelated program is not the domain's qemu", () => {
    const findings = detect([running('web', 500, { uuid: UUID })], [proc(500, ['/usr/bin/sshd'])]);
    assert.match(findings[0]?.evidence.recordedPidIs ?? '', /^sshd: \/usr\/bin\/sshd/);
  });

  it('cannot judge against a remote libvirt or a restricted /proc, and says so', () => {
    const web = running('web', 500, { uuid: UUID });
    assert.match(skipReason(domainWithoutProcess, host([web], [], { local: false })) ?? '', /^libvirt is remote/);
    assert.match(skipReason(domainWithoutProcess, host([web], [], { restricted: true })) ?? '', /hidepid/);
    assert.equal(skipReason(domainWithoutProcess, host([web], [])), null);
  });
});
