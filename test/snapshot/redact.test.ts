// snapshot --redact: command lines cut to what detection reads, host and user names replaced
// consistently, URL credentials dropped, and the detectors reading the same values back.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { redactCmdline, redactSnapshot } from '../../src/outputs/redact.js';
import { parseQemuGuest } from '../../src/views/qemu-cmdline.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { parseSnapshot } from '../../src/families/index.js';
import type { ProcessInfo } from '../../src/snapshot/procfs.js';

const proc = (pid: number, comm: string, cmdline: string[]): ProcessInfo => ({
  pid,
  ppid: 1,
  comm,
  state: 'S',
  cmdline,
  uid: 0,
  startTimeSeconds: 1_700_000_000,
  rssBytes: 1024,
  hugetlbBytes: null,
});

const QEMU = proc(4242, 'qemu-system-x86', [
  '/usr/bin/qemu-system-x86_64',
  '-name',
  'guest=web,,prod,debug-threads=on',
  '-uuid',
  'AAAA-bbbb',
  '-smp',
  '4,sockets=1,cores=4',
  '-m',
  'size=2097152k',
  '-object',
  '{"qom-type":"secret","id":"masterKey0","file":"/var/lib/libvirt/qemu/key"}',
  '-vnc',
  '0.0.0.0:0,password=on',
  '-drive',
  'file=/home/alice/vm.qcow2,if=virtio',
]);
const PROBE = proc(7, 'qemu-system-x86', [
  'qemu-system-x86_64',
  '-S',
  '-no-user-config',
  '-pidfile',
  '/var/lib/libvirt/qemu/capabilities.pidfile',
]);

test('a qemu command line keeps only what detection reads, and reads back the same', () => {
  const cut = redactCmdline(QEMU);
  assert.deepEqual(cut, [
    'qemu-system-x86_64',
    '-name',
    'guest=web,,prod',
    '-uuid',
    'aaaa-bbbb',
    '-smp',
    '4',
    '-m',
    '2097152k',
  ]);
  assert.deepEqual(parseQemuGuest({ ...QEMU, cmdline: cut }), parseQemuGuest(QEMU));
  assert.deepEqual(parseQemuGuest({ ...PROBE, cmdline: redactCmdline(PROBE) }), parseQemuGuest(PROBE));
  assert.equal(parseQemuGuest(PROBE).capabilityProbe, true);
  assert.deepEqual(redactCmdline(proc(9, 'backup', ['/opt/bk/bin/backup', '--token=s3cr3t', '/home/alice'])), [
    'backup',
  ]);
  assert.deepEqual(redactCmdline(proc(2, 'kthreadd', [])), []);
});

test('host and user names become stable placeholders everywhere; URL credentials go', () => {
  const snap = parseSnapshot({
    schemaVersion: 1,
    hostname: 'hv1.corp.example',
    takenAt: 1_700_000_000,
    collectors: {
      procfs: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: 1_700_000_000, stale: false },
    },
    procfs: {
      bootTimeSeconds: 1_699_000_000,
      restricted: false,
      processes: [QEMU, proc(9, 'backup', ['/opt/bk/bin/backup', '--token=s3cr3t'])],
      openFiles: [
        {
          pid: 4242,
          fd: 12,
          target: '/home/alice/vm.qcow2',
          inode: 5,
          devMajor: 8,
          devMinor: 1,
          mntId: 1,
          locks: [],
          tapInterface: null,
          vfioDeviceSyspath: null,
        },
        {
          pid: 9,
          fd: 3,
          target: '/home/bob/hv1.corp.example.log',
          inode: 6,
          devMajor: 8,
          devMinor: 1,
          mntId: 1,
          locks: [],
          tapInterface: null,
          vfioDeviceSyspath: null,
        },
      ],
      locks: [],
      problems: ['hv1.corp.example: pid 77 vanished', 'qemu+ssh://root:pw@hv2.corp.example/system refused'],
    },
  } as unknown) as Snapshot;
  const before = JSON.stringify(snap);
  const out = redactSnapshot(snap);
  assert.equal(JSON.stringify(snap), before, 'the input is not modified');
  const text = JSON.stringify(out);
  for (const secret of ['hv1', 'alice', 'bob', 's3cr3t', 'masterKey0', 'password', 'root:pw', '/opt/bk'])
    assert.ok(!text.includes(secret), secret);
  assert.equal(out.hostname, 'host-1');
  assert.deepEqual(
    out.procfs?.openFiles.map((f) => f.target),
    ['/home/user-1/vm.qcow2', '/home/user-2/host-1.log'],
  );
  assert.deepEqual(out.procfs?.problems, ['host-1: pid 77 vanished', 'qemu+ssh://hv2.corp.example/system refused']);
  // Still a valid snapshot.
  assert.deepEqual(parseSnapshot(JSON.parse(text)), out);
});

test('the file server of shared storage is a host name too, in the store and wherever else it appears', () => {
  const store = 'nfs1.corp.example:/export/vms';
  const snap = {
    schemaVersion: 1,
    hostname: 'hv1',
    takenAt: 1_700_000_000,
    collectors: {},
    pools: {
      pools: [],
      images: [],
      external: [],
      problems: [`${store}: stale file handle`],
      sharedMounts: [{ mountPoint: '/mnt/vms', store, pathInStore: '/', reason: 'filesystem nfs4' }],
    },
  } as unknown as Snapshot;
  const out = redactSnapshot(parseSnapshot(snap));
  assert.ok(!JSON.stringify(out).includes('nfs1'), JSON.stringify(out.pools));
  assert.equal(out.pools?.sharedMounts?.[0]?.store, out.pools?.problems[0]?.split(': ')[0]);
});
