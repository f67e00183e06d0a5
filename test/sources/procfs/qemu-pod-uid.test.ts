// The launcher pod of a KubeVirt qemu, from its /proc/<pid>/cgroup: the cgroup files in test/fixtures/cgroup are
// written in the shapes the kubelet makes (cgroup v1 and v2, the cgroupfs and systemd drivers, a hybrid host, a
// path seen through a cgroup namespace), laid out in a /proc-shaped tree that readProcfs reads.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';
import { podUidFromCgroup, podUidFromProcCgroup } from '../../../src/sources/shared/kubepods-cgroup.js';
import { kubevirtQemus } from '../../../src/views/kubevirt-qemu.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/cgroup');
const UID = '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f';
const fixture = (name: string) => readFile(path.join(FIXTURES, `${name}.txt`), 'utf8');

// virt-launcher's qemu command line, shortened: `-name guest=<namespace>_<vmi>` and the KubeVirt SMBIOS mark.
const launcherQemu = (vmi: string) => [
  '/usr/libexec/qemu-kvm',
  '-name',
  `guest=vms_${vmi},debug-threads=on`,
  '-machine',
  'pc-q35-rhel9.2.0,usb=off,dump-guest-core=off',
  '-smbios',
  'type=1,manufacturer=KubeVirt,product=None,family=KubeVirt',
];

async function writeProcess(
  root: string,
  pid: number,
  comm: string,
  cmdline: string[],
  cgroup: string | 'directory' | null,
): Promise<void> {
  const dir = path.join(root, String(pid));
  await mkdir(path.join(dir, 'fd'), { recursive: true });
  await mkdir(path.join(dir, 'fdinfo'), { recursive: true });
  await writeFile(
    path.join(dir, 'stat'),
    `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 5000 1000 10 ` +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n',
  );
  await writeFile(path.join(dir, 'status'), `Name:\t${comm}\nUid:\t107\t107\t107\t107\nVmRSS:\t4096 kB\n`);
  await writeFile(path.join(dir, 'cmdline'), cmdline.map((a) => a + '\0').join(''));
  await writeFile(path.join(dir, 'mountinfo'), '25 1 0:6 / /dev rw - devtmpfs udev rw\n');
  // An unreadable cgroup file: EISDIR on read, as a kernel that hides it or a race would give some error.
  if (cgroup === 'directory') await mkdir(path.join(dir, 'cgroup'));
  else if (cgroup !== null) await writeFile(path.join(dir, 'cgroup'), cgroup);
}

describe("a KubeVirt qemu's launcher pod from its cgroup", () => {
  let root: string;
  const shapes = [
    'v2-systemd-launcher',
    'v2-cgroupfs-launcher',
    'v2-cgroupns-launcher',
    'v2-systemd-guaranteed-launcher',
    'v1-cgroupfs-launcher',
    'v1-systemd-hybrid-launcher',
  ];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'vmz-proc-cgroup-'));
    await writeFile(path.join(root, 'stat'), 'cpu  1 0 0 0\nbtime 1763880000\n');
    // pid 1, so the tree does not look hidepid-restricted.
    await writeProcess(root, 1, 'systemd', ['/sbin/init'], '0::/init.scope\n');
    for (const [i, shape] of shapes.entries())
      await writeProcess(root, 100 + i, 'qemu-kvm', launcherQemu(`vm-${i}`), await fixture(shape));
    // A KubeVirt qemu whose cgroup cannot be read, and one without the file at all.
    await writeProcess(root, 200, 'qemu-kvm', launcherQemu('unreadable'), 'directory');
    await writeProcess(root, 201, 'qemu-kvm', launcherQemu('no-file'), null);
    // A libvirt guest outside Kubernetes; and virt-launcher itself, in the pod but not a qemu (its cgroup is not read).
    await writeProcess(
      root,
      300,
      'qemu-system-x86',
      ['/usr/bin/qemu-system-x86_64', '-name', 'guest=web'],
      await fixture('v2-libvirt-qemu'),
    );
    await writeProcess(root, 301, 'virt-launcher', ['/usr/bin/virt-launcher'], await fixture('v2-systemd-launcher'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the pod uid of each qemu, in every cgroup shape, and nothing for the rest', async () => {
    const s = await readProcfs(root);
    const uid = (pid: number) => s.processes.find((p) => p.pid === pid)?.podUid;
    for (const [i, shape] of shapes.entries()) assert.equal(uid(100 + i), UID, shape);
    assert.equal(uid(200), undefined, 'unreadable cgroup: absent');
    assert.equal(uid(201), undefined, 'no cgroup file: absent');
    assert.equal(uid(300), undefined, 'a libvirt guest is in no pod');
    assert.equal(uid(301), undefined, 'only qemu processes have their cgroup read');
    // Unreadable cgroups are neither errors nor problems: the processes are all there.
    assert.deepEqual(s.problems, []);
    assert.equal(s.processes.length, 1 + shapes.length + 4);

    const qemus = kubevirtQemus(s.processes);
    assert.deepEqual(
      qemus.map((q) => [q.vmi, q.podUid]),
      [...shapes.map((_, i) => [`vm-${i}`, UID]), ['unreadable', null], ['no-file', null]],
    );
  });

  it('parses each fixture, and ignores paths that only look like pods', async () => {
    for (const name of await readdir(FIXTURES))
      assert.equal(
        podUidFromProcCgroup(await readFile(path.join(FIXTURES, name), 'utf8')),
        name.includes('launcher') ? UID : null,
        name,
      );
    assert.equal(podUidFromProcCgroup(''), null);
    assert.equal(podUidFromProcCgroup('0::/\n'), null);
    assert.equal(podUidFromCgroup('/kubepods.slice/kubepods-burstable.slice'), null);
    assert.equal(podUidFromCgroup(`/system.slice/mypod${UID}.service`), null, 'a segment must be the pod cgroup');
    assert.equal(podUidFromCgroup(`/kubepods/besteffort/pod${UID.toUpperCase()}/c`), null, 'uids are lower case');
  });
});
