// The libvirt source around the shell: which URIs are this host, and where the qemu pid of each
// domain comes from (pid files under both names, the status XML, none when off).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LibvirtReader } from '../../../src/sources/libvirt/libvirt-reader.js';
import { isLocalQemuUri } from '../../../src/sources/libvirt/transport.js';
import { killStartedFakes, makeFake } from '../../support/fake-virsh.js';
import { answerOverview } from '../../support/fake-virsh-answers.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-libvirt-src-'));
});
afterAll(async () => {
  killStartedFakes();
  await rm(work, { recursive: true, force: true });
});

test('isLocalQemuUri: only QEMU URIs without a server part are this host', () => {
  const cases: Array<[string, boolean]> = [
    ['qemu:///system', true],
    ['qemu:///session', true],
    ['qemu+unix:///system', true],
    ['qemu+unix:///system?socket=/run/libvirt/libvirt-sock-ro', true],
    ['QEMU:///system', true],
    ['qemu+ssh://root@hv2/system', false],
    ['qemu+tcp://10.0.0.2/system', false],
    ['qemu+unix://hv2/system', true],
    ['qemu://hv2/system', false],
    ['test:///default', false],
    ['xen:///system', false],
    ['lxc:///', false],
    ['qemu:/system', false],
    ['', false],
  ];
  for (const [uri, local] of cases) assert.equal(isLocalQemuUri(uri), local, uri);
});

const xml = (name: string, uuid: string) =>
  `<domain type='kvm'><name>${name}</name><uuid>${uuid}</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><devices/>
  </domain>\n`;

test('qemu pids: plain and escaped pid files, status XML fallback, garbage, none for inactive domains', async () => {
  const fake = await makeFake(work, 'pids');
  const runDir = path.join(fake.dir, 'run');
  await mkdir(runDir);
  // [name, uuid, id, state, reason]: running/booted, paused/user, in shutdown/user, shut off/destroyed
  const domains: Array<[string, string, number | null, number, number]> = [
    ['plain', '11111111-0000-4000-8000-000000000001', 1, 1, 1],
    ["it's", '11111111-0000-4000-8000-000000000002', 2, 1, 1],
    ['status-only', '11111111-0000-4000-8000-000000000003', 3, 3, 1],
    ['garbage-pid', '11111111-0000-4000-8000-000000000004', 4, 1, 1],
    ['nothing', '11111111-0000-4000-8000-000000000005', 5, 4, 1],
    ['stale-file', '11111111-0000-4000-8000-000000000006', null, 5, 2],
  ];
  await writeFile(path.join(runDir, 'plain.pid'), '1001\n');
  await writeFile(path.join(runDir, 'it&apos;s.pid'), '1002');
  await writeFile(
    path.join(runDir, 'status-only.xml'),
    "<domstatus state='paused' reason='user' pid='1003'>\n  <monitor path='/x'/>\n</domstatus>\n",
  );
  await writeFile(path.join(runDir, 'garbage-pid.pid'), 'not a pid\n');
  await writeFile(path.join(runDir, 'stale-file.pid'), '1006\n');
  await answerOverview(
    fake,
    domains.map(([name, uuid, id, state, reason]) => ({
      name,
      uuid,
      id,
      state,
      reason,
      transient: true,
      xml: xml(name.replace(/'/g, '&apos;'), uuid),
    })),
  );
  const reader = new LibvirtReader({ virsh: fake.bin, uri: 'qemu:///system', runDir, transport: 'virsh' });
  try {
    const section = await reader.read(AbortSignal.timeout(10_000));
    assert.deepEqual(
      section.domains.map((d) => [d.name, d.state, d.pid, d.persistent]),
      [
        ['plain', 'running', 1001, false],
        ["it's", 'running', 1002, false],
        ['status-only', 'paused', 1003, false],
        ['garbage-pid', 'running', null, false],
        ['nothing', 'shutdown', null, false],
        ['stale-file', 'shutoff', null, false],
      ],
    );
    assert.deepEqual(section.problems, []);
  } finally {
    await reader.close();
  }
});
