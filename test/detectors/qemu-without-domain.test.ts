import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qemuWithoutDomain } from '../../src/detectors/qemu-without-domain.js';
import { parseCmdline } from '../../src/sources/procfs/parse.js';
import {
  CTX,
  NOW,
  domain,
  libvirtQemu,
  libvirtSection,
  proc,
  procfsSection,
  running,
  snapshot,
} from '../support/builders.js';
import { skipReason } from '../support/judge.js';

const UUID_A = '11111111-1111-4111-8111-111111111111';
const UUID_B = '22222222-2222-4222-8222-222222222222';
const captured = (name: string) => parseCmdline(readFileSync(new URL(`../fixtures/captured/${name}`, import.meta.url)));

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
  return qemuWithoutDomain.detect(host(domains, processes, over), CTX);
}

describe('qemu_without_domain', () => {
  it('a running domain with its own qemu is silent', () => {
    assert.deepEqual(detect([running('web', 500, { uuid: UUID_A })], [libvirtQemu(500, 'web', UUID_A)]), []);
  });

  it('matches by uuid when libvirt recorded no pid', () => {
    assert.deepEqual(detect([running('web', 0, { uuid: UUID_A, pid: null })], [libvirtQemu(500, 'web', UUID_A)]), []);
  });

  it("libvirt's capability probe (-machine none, captured from libvirtd 9) is not a guest", () => {
    const probe = proc(700, captured('cmdline-libvirt-capability-probe.bin'), { startTimeSeconds: NOW - 5 });
    assert.deepEqual(detect([], [probe]), []);
  });

  it('a defunct (zombie-state) qemu parent holds nothing', () => {
    assert.deepEqual(detect([], [proc(701, [], { comm: 'qemu-system-x86', state: 'Z' })]), []);
  });

  it('flags a qemu whose guest libvirt does not know, with its size and evidence', () => {
    const stray = proc(
      900,
      [
        'qemu-system-x86_64',
        '-name',
        'guest=lost,debug-threads=on',
        '-m',
        '2G',
        '-smp',
        'cpus=4,sockets=1',
        '-drive',
        'file=/img/lost.qcow2',
      ],
      { startTimeSeconds: NOW - 7200, rssBytes: 1500 * 1024 * 1024 },
    );
    const findings = detect([running('web', 500, { uuid: UUID_A })], [libvirtQemu(500, 'web', UUID_A), stray]);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f?.subject, 'lost (pid 900)');
    assert.deepEqual(f?.labels, { guest: 'lost', uuid: '', pid: '900' });
    // The grace counts from first sight, not from process start (a destroyed guest's qemu may take
    // seconds to exit); the start time is evidence.
    assert.equal(f?.since, null);
    assert.equal(f?.evidence.startedAt, NOW - 7200);
    assert.deepEqual(f?.reclaimable, { vcpus: 4, memoryBytes: 1500 * 1024 * 1024, diskBytes: 0 });
    assert.equal(f?.evidence.definedDomain, null);
    assert.match(f?.evidence.cmdline ?? '', /guest=lost/);
  });

  it('flags the qemu of a domain libvirt believes shut off, naming the domain', () => {
    const findings = detect(
      [domain({ name: 'db', uuid: UUID_B, state: 'shutoff', reason: 'destroyed' })],
      [libvirtQemu(600, 'db', UUID_B)],
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.evidence.definedDomain, `db (${UUID_B}) shutoff`);
    assert.deepEqual(findings[0]?.labels, { guest: 'db', uuid: UUID_B, pid: '600' });
  });

  it('two qemus for one running domain: the one libvirt recorded is owned, the other is flagged', () => {
    const findings = detect(
      [running('web', 500, { uuid: UUID_A })],
      [libvirtQemu(500, 'web', UUID_A), libvirtQemu(501, 'web', UUID_A)],
    );
    assert.deepEqual(
      findings.map((f) => f.subject),
      ['web (pid 501)'],
    );
  });

  it('a recorded pid reused by another guest does not make that guest owned', () => {
    const findings = detect([running('web', 500, { uuid: UUID_A })], [libvirtQemu(500, 'other', UUID_B)]);
    assert.deepEqual(
      findings.map((f) => f.subject),
      ['other (pid 500)'],
    );
  });

  it('reads the real command line libvirt 9 gave a guest whose name has quotes and spaces', () => {
    const argv = captured('cmdline-libvirt-qemu.bin');
    const uuid = argv[argv.indexOf('-uuid') + 1] as string;
    assert.deepEqual(detect([running('vmz "odd" name', 4959, { uuid })], [proc(4959, argv)]), []);
    const orphan = detect([], [proc(4959, argv)]);
    assert.deepEqual(
      orphan.map((f) => [f.labels.guest, f.labels.uuid]),
      [['vmz "odd" name', uuid]],
    );
  });

  it('names with an escaped comma (",,") are read whole', () => {
    const findings = detect([], [proc(42, ['qemu-system-x86_64', '-name', 'guest=a,,b,debug-threads=on'])]);
    assert.equal(findings[0]?.labels.guest, 'a,b');
  });

  it('cannot judge against a remote libvirt or a /proc that hides other users (absence proves nothing)', () => {
    const stray = libvirtQemu(900, 'lost', UUID_B);
    assert.match(skipReason(qemuWithoutDomain, host([], [stray], { local: false })) ?? '', /^libvirt is remote/);
    assert.match(skipReason(qemuWithoutDomain, host([], [stray], { restricted: true })) ?? '', /hidepid/);
    assert.equal(detect([], [stray]).length, 1);
  });

  it('ignores processes that are not qemu', () => {
    assert.deepEqual(
      detect([], [proc(10, ['/usr/sbin/libvirtd', '-d']), proc(11, ['qemu-img', 'info', '-U', 'x.qcow2'])]),
      [],
    );
  });
});
