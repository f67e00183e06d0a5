// The libvirt source around the shell: which URIs are this host, stat of disk files, and where the
// qemu pid of each domain comes from (pid files under both names, the status XML, none when off).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LibvirtReader, isLocalQemuUri, statFile } from '../../../src/sources/libvirt/libvirt-source.js';
import { splitDev } from '../../../src/util/devnum.js';
import { killStartedFakes, makeFake } from '../../support/fake-virsh.js';

let work: string;
beforeAll(async () => { work = await mkdtemp(path.join(os.tmpdir(), 'vmz-libvirt-src-')); });
afterAll(async () => {
  killStartedFakes();
  await rm(work, { recursive: true, force: true });
});

test('isLocalQemuUri: only QEMU URIs without a server part are this host', () => {
  const cases: Array<[string, boolean]> = [
    ['qemu:///system', true], ['qemu:///session', true], ['qemu+unix:///system', true],
    ['qemu+unix:///system?socket=/run/libvirt/libvirt-sock-ro', true], ['QEMU:///system', true],
    ['qemu+ssh://root@hv2/system', false], ['qemu+tcp://10.0.0.2/system', false], ['qemu+unix://hv2/system', true],
    ['qemu://hv2/system', false], ['test:///default', false], ['xen:///system', false], ['lxc:///', false],
    ['qemu:/system', false], ['', false],
  ];
  for (const [uri, local] of cases) assert.equal(isLocalQemuUri(uri), local, uri);
});

test('statFile: identity of an existing file; a missing one is known missing, not an error', async () => {
  const file = path.join(work, 'disk.img');
  await writeFile(file, Buffer.alloc(8192, 1));
  const st = await stat(file);
  const { major, minor } = splitDev(st.dev);
  assert.deepEqual(await statFile(file), {
    path: file, exists: true, inode: st.ino, devMajor: major, devMinor: minor, sizeBytes: 8192,
    allocatedBytes: st.blocks * 512, mtimeSeconds: Math.floor(st.mtimeMs / 1000), error: null,
  });
  assert.deepEqual(await statFile(path.join(work, 'gone.img')), {
    path: path.join(work, 'gone.img'), exists: false, inode: null, devMajor: null, devMinor: null, sizeBytes: null,
    allocatedBytes: null, mtimeSeconds: null, error: null,
  });
});

const xml = (name: string, uuid: string) => `<domain type='kvm'><name>${name}</name><uuid>${uuid}</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><devices/></domain>\n`;

test('qemu pids: plain and escaped pid files, status XML fallback, garbage, none for inactive domains', async () => {
  const fake = await makeFake(work, 'pids');
  const runDir = path.join(fake.dir, 'run');
  await mkdir(runDir);
  const domains: Array<[string, string, string]> = [
    ['plain', '11111111-0000-4000-8000-000000000001', 'running (booted)'],
    ["it's", '11111111-0000-4000-8000-000000000002', 'running (booted)'],
    ['status-only', '11111111-0000-4000-8000-000000000003', 'paused (user)'],
    ['garbage-pid', '11111111-0000-4000-8000-000000000004', 'running (booted)'],
    ['nothing', '11111111-0000-4000-8000-000000000005', 'in shutdown (user)'],
    ['stale-file', '11111111-0000-4000-8000-000000000006', 'shut off (destroyed)'],
  ];
  await writeFile(path.join(runDir, 'plain.pid'), '1001\n');
  await writeFile(path.join(runDir, 'it&apos;s.pid'), '1002');
  await writeFile(path.join(runDir, 'status-only.xml'), "<domstatus state='paused' reason='user' pid='1003'>\n  <monitor path='/x'/>\n</domstatus>\n");
  await writeFile(path.join(runDir, 'garbage-pid.pid'), 'not a pid\n');
  await writeFile(path.join(runDir, 'stale-file.pid'), '1006\n');
  await fake.answer('list --all --uuid', domains.map((d) => d[1]).join('\n') + '\n');
  await fake.answer('list --all --uuid --autostart', '');
  await fake.answer('list --all --uuid --persistent', '');
  for (const [name, uuid, state] of domains) {
    await fake.answer(`dumpxml ${uuid}`, xml(name.replace(/'/g, '&apos;'), uuid));
    await fake.answer(`domstate --reason ${uuid}`, `${state}\n`);
    await fake.answer(`snapshot-list --name ${uuid}`, '');
  }
  const reader = new LibvirtReader({ virsh: fake.bin, uri: 'qemu:///system', runDir });
  try {
    const section = await reader.read(AbortSignal.timeout(10_000));
    assert.deepEqual(section.domains.map((d) => [d.name, d.state, d.pid, d.persistent]), [
      ['plain', 'running', 1001, false],
      ["it's", 'running', 1002, false],
      ['status-only', 'paused', 1003, false],
      ['garbage-pid', 'running', null, false],
      ['nothing', 'shutdown', null, false],
      ['stale-file', 'shutoff', null, false],
    ]);
    assert.deepEqual(section.problems, []);
  } finally {
    await reader.close();
  }
});
