// Tests of the pure /proc parsers on captured real files and on inline edge cases.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  USER_HZ,
  parseBootTime,
  parseCmdline,
  parseFdInfo,
  parseLockFields,
  parseMountinfo,
  parsePidStat,
  parsePidStatus,
  parseProcLocks,
} from '../../../src/sources/procfs/parse.js';

const CAPTURED = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/captured');
const captured = (name: string) => readFileSync(path.join(CAPTURED, name), 'utf8');
const capturedBytes = (name: string) => readFileSync(path.join(CAPTURED, name));

test('parseBootTime reads btime among the other /proc/stat lines', () => {
  const text = 'cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 1 2\nctxt 99\nbtime 1763880000\nprocesses 42\n';
  assert.equal(parseBootTime(text), 1763880000);
});

test('parseBootTime without a btime line throws', () => {
  assert.throws(() => parseBootTime('cpu 1 2 3\nprocesses 4\n'), /no btime line/);
  // "btime" must be a whole line, not part of another key.
  assert.throws(() => parseBootTime('xbtime 12\n'), /no btime line/);
});

test('USER_HZ is the kernel ABI value', () => {
  assert.equal(USER_HZ, 100);
});

test('parsePidStat on a captured qemu stat line', () => {
  const st = parsePidStat(captured('pid-stat-qemu.txt'));
  assert.deepEqual(st, { pid: 4959, comm: 'qemu-system-x86', state: 'S', ppid: 1, startTicks: 580732, threads: 4 });
});

test("parsePidStat on libvirt's captured capability probe", () => {
  const st = parsePidStat(captured('pid-stat-capability-probe.txt'));
  assert.deepEqual(st, { pid: 6178, comm: 'qemu-system-x86', state: 'R', ppid: 1, startTicks: 586679, threads: 3 });
});

function statLine(pid: number, comm: string, state = 'S', ppid = 7, start = 12345): string {
  // Fields 3..22: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice num_threads itrealvalue starttime, then more.
  return (
    `${pid} (${comm}) ${state} ${ppid} 1 1 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 ${start} 1000 10 ` +
    '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n'
  );
}

test('parsePidStat keeps a comm with spaces and parentheses whole', () => {
  assert.deepEqual(parsePidStat(statLine(42, 'a b) c) (d', 'R', 3, 999)), {
    pid: 42,
    comm: 'a b) c) (d',
    state: 'R',
    ppid: 3,
    startTicks: 999,
    threads: 1,
  });
  assert.deepEqual(parsePidStat(statLine(43, ')', 'Z', 1, 5)), {
    pid: 43,
    comm: ')',
    state: 'Z',
    ppid: 1,
    startTicks: 5,
    threads: 1,
  });
  assert.deepEqual(parsePidStat(statLine(44, '', 'I', 2, 0)), {
    pid: 44,
    comm: '',
    state: 'I',
    ppid: 2,
    startTicks: 0,
    threads: 1,
  });
});

test('parsePidStat rejects truncated or shapeless lines', () => {
  assert.throws(() => parsePidStat(''), /malformed/);
  assert.throws(() => parsePidStat('12 no parens here'), /malformed/);
  assert.throws(() => parsePidStat('12 (x) S 1 2 3'), /malformed/);
  assert.throws(() => parsePidStat('12 (x) S notanumber 1 1 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 5 1'), /malformed/);
});

test('parseCmdline on captured libvirt qemu argv keeps quotes, commas and JSON intact', () => {
  const argv = parseCmdline(capturedBytes('cmdline-libvirt-qemu.bin'));
  assert.equal(argv[0], '/usr/bin/qemu-system-x86_64');
  assert.equal(argv[1], '-name');
  assert.equal(argv[2], 'guest=vmz "odd" name,debug-threads=on');
  assert.equal(argv[argv.indexOf('-uuid') + 1], 'de554306-1c01-4723-a48e-263c196000a6');
  assert.equal(argv[argv.length - 1], 'timestamp=on');
  assert.ok(!argv.includes(''), 'the trailing NUL does not produce an empty argument');
  const blockdev = argv
    .filter((_a, i) => argv[i - 1] === '-blockdev')
    .map((a) => JSON.parse(a) as { filename?: string });
  assert.deepEqual(
    blockdev.flatMap((b) => (b.filename ? [b.filename] : [])),
    ['/tmp/vmzt/base.qcow2', '/tmp/vmzt/top.qcow2'],
  );
});

test('parseCmdline on the captured capability probe', () => {
  const argv = parseCmdline(capturedBytes('cmdline-libvirt-capability-probe.bin'));
  assert.deepEqual(argv.slice(0, 7), [
    '/usr/bin/qemu-system-x86_64',
    '-S',
    '-no-user-config',
    '-nodefaults',
    '-nographic',
    '-machine',
    'none,accel=kvm:tcg',
  ]);
  assert.equal(argv[argv.length - 1], '-daemonize');
  assert.equal(argv.length, 12);
});

test('parseCmdline edge cases: kernel thread, no trailing NUL, empty arguments, string input', () => {
  assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
  assert.deepEqual(parseCmdline(''), []);
  assert.deepEqual(parseCmdline('sleep\u0000600'), ['sleep', '600']);
  assert.deepEqual(parseCmdline(Buffer.from('a\u0000\u0000b\u0000')), ['a', '', 'b']);
  // A process that rewrote its argv into one string with spaces (no NULs) stays one element.
  assert.deepEqual(parseCmdline('nginx: worker process'), ['nginx: worker process']);
});

test('parsePidStatus on a captured qemu status file', () => {
  assert.deepEqual(parsePidStatus(captured('pid-status-qemu.txt')), {
    uid: 0,
    rssBytes: 40656 * 1024,
    hugetlbBytes: 0,
  });
});

test('parsePidStatus: real uid is the first of four; kernel threads have no VmRSS', () => {
  assert.deepEqual(parsePidStatus('Name:\tkthreadd\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n'), {
    uid: 1000,
    rssBytes: null,
    hugetlbBytes: null,
  });
  assert.deepEqual(parsePidStatus('Name:\tx\n'), { uid: null, rssBytes: null, hugetlbBytes: null });
  assert.equal(parsePidStatus('Name:\tdpdk\nHugetlbPages:\t 2097152 kB\n').hugetlbBytes, 2 * 1024 ** 3);
});

test('parseProcLocks on a captured /proc/locks with a running qemu', () => {
  const { locks, malformed } = parseProcLocks(captured('proc-locks-running-qemu.txt'));
  assert.deepEqual(malformed, []);
  assert.equal(locks.length, 22);
  assert.deepEqual(locks[3], {
    ordinal: 4,
    lockClass: 'OFDLCK',
    mode: 'ADVISORY',
    access: 'READ',
    pid: -1,
    devMajor: 254,
    devMinor: 0,
    inode: 2146658,
    start: 100,
    end: 101,
    raw: '4: OFDLCK ADVISORY  READ -1 fe:00:2146658 100 101',
  });
  assert.deepEqual(locks[4], {
    ordinal: 5,
    lockClass: 'POSIX',
    mode: 'ADVISORY',
    access: 'WRITE',
    pid: 5549,
    devMajor: 254,
    devMinor: 0,
    inode: 2146659,
    start: 0,
    end: null,
    raw: '5: POSIX  ADVISORY  WRITE 5549 fe:00:2146659 0 EOF',
  });
  assert.equal(locks.filter((l) => l.lockClass === 'OFDLCK').length, 11);
  assert.ok(locks.filter((l) => l.lockClass === 'OFDLCK').every((l) => l.pid === -1));
  assert.deepEqual(
    locks.filter((l) => l.inode === 2146531).map((l) => [l.start, l.end]),
    [
      [203, 203],
      [201, 201],
      [100, 100],
    ],
  );
  assert.deepEqual(
    locks.map((l) => l.ordinal),
    Array.from({ length: 22 }, (_, i) => i + 1),
  );
});

test('parseProcLocks: FLOCK, POSIX, LEASE, EOF, hex devices, waiting "->" lines and garbage', () => {
  const text = [
    '1: FLOCK  ADVISORY  WRITE 812 08:01:393219 0 EOF',
    '1: -> FLOCK  ADVISORY  WRITE 900 08:01:393219 0 EOF',
    '2: POSIX  ADVISORY  READ 1234 103:02:77 100 200',
    '3: LEASE  ACTIVE    READ 4321 00:2d:5 0 EOF',
    '4: LEASE  BREAKING  READ 4321 00:2d:6 0 EOF',
    '5: POSIX  MANDATORY WRITE 77 fd:1a:8 0 0',
    '',
    'not a lock line at all',
    '6: POSIX  ADVISORY  WRITE 77 zz:01:8 0 0',
    '7: POSIX  ADVISORY  WRITE',
    '8: OFDLCK ADVISORY  READ -1 fe:00:2146658 100 nope',
    '  ',
  ].join('\n');
  const { locks, malformed } = parseProcLocks(text);
  assert.deepEqual(
    locks.map((l) => [
      l.ordinal,
      l.lockClass,
      l.mode,
      l.access,
      l.pid,
      l.devMajor,
      l.devMinor,
      l.inode,
      l.start,
      l.end,
    ]),
    [
      [1, 'FLOCK', 'ADVISORY', 'WRITE', 812, 8, 1, 393219, 0, null],
      [2, 'POSIX', 'ADVISORY', 'READ', 1234, 0x103, 2, 77, 100, 200],
      [3, 'LEASE', 'ACTIVE', 'READ', 4321, 0, 0x2d, 5, 0, null],
      [4, 'LEASE', 'BREAKING', 'READ', 4321, 0, 0x2d, 6, 0, null],
      [5, 'POSIX', 'MANDATORY', 'WRITE', 77, 0xfd, 0x1a, 8, 0, 0],
    ],
  );
  // The waiting request is neither a held lock nor a problem; the others are counted.
  assert.deepEqual(malformed, [
    'not a lock line at all',
    '6: POSIX  ADVISORY  WRITE 77 zz:01:8 0 0',
    '7: POSIX  ADVISORY  WRITE',
    '8: OFDLCK ADVISORY  READ -1 fe:00:2146658 100 nope',
  ]);
});

test('parseProcLocks on an empty table', () => {
  assert.deepEqual(parseProcLocks(''), { locks: [], malformed: [] });
});

test('parseLockFields: hex device numbers and the waiting marker', () => {
  const l = parseLockFields('OFDLCK ADVISORY READ -1 fe:00:2146658 100 101'.split(' '), 'raw');
  assert.equal(l?.devMajor, 254);
  assert.equal(l?.devMinor, 0);
  const big = parseLockFields('POSIX ADVISORY WRITE 1 103:02:9 0 EOF'.split(' '), 'raw');
  assert.deepEqual([big?.devMajor, big?.devMinor, big?.inode, big?.end], [259, 2, 9, null]);
  assert.equal(parseLockFields(['->', 'FLOCK', 'ADVISORY', 'WRITE', '1', '08:01:2', '0', 'EOF'], 'raw'), null);
  assert.equal(parseLockFields(['POSIX', 'ADVISORY', 'WRITE', 'x', '08:01:2', '0', 'EOF'], 'raw'), null);
});

test('parseFdInfo on a captured qemu image fd with OFD locks', () => {
  const info = parseFdInfo(captured('fdinfo-qemu-ofd-locks.txt'));
  assert.equal(info.mntId, 27);
  assert.equal(info.tapInterface, null);
  assert.equal(info.vfioDeviceSyspath, null);
  assert.deepEqual(
    info.locks.map((l) => [l.lockClass, l.access, l.pid, l.devMajor, l.devMinor, l.inode, l.start, l.end]),
    [
      ['OFDLCK', 'READ', -1, 254, 0, 2146532, 100, 101],
      ['OFDLCK', 'READ', -1, 254, 0, 2146532, 103, 103],
      ['OFDLCK', 'READ', -1, 254, 0, 2146532, 201, 201],
      ['OFDLCK', 'READ', -1, 254, 0, 2146532, 203, 203],
    ],
  );
  assert.equal(info.locks[0]?.raw, '1: OFDLCK ADVISORY  READ -1 fe:00:2146532 100 101');
});

test('parseFdInfo: tap iff, vfio syspath, lock lines without ordinal, unparsable lock lines dropped', () => {
  const tap = parseFdInfo('pos:\t0\nflags:\t02004002\nmnt_id:\t15\nino:\t1037\niff:\tvnet3\n');
  assert.deepEqual(tap, { mntId: 15, inode: 1037, locks: [], tapInterface: 'vnet3', vfioDeviceSyspath: null });
  const vfio = parseFdInfo(
    'pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t12\nvfio-device-syspath: ' +
      '/sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0\n',
  );
  assert.equal(vfio.vfioDeviceSyspath, '/sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0');
  const plain = parseFdInfo('lock:\tPOSIX  ADVISORY  WRITE 4810 fe:00:1524487 0 EOF\nlock:\tgarbage\n');
  assert.deepEqual(
    plain.locks.map((l) => [l.pid, l.inode, l.end]),
    [[4810, 1524487, null]],
  );
  assert.deepEqual(parseFdInfo(''), {
    mntId: null,
    inode: null,
    locks: [],
    tapInterface: null,
    vfioDeviceSyspath: null,
  });
});

test('parseMountinfo: mount id → superblock device, decimal', () => {
  const mounts = parseMountinfo(
    [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '45 22 0:38 /@home /home rw,relatime shared:30 - btrfs /dev/vdb rw,subvol=/@home',
      'garbage',
    ].join('\n'),
  );
  assert.deepEqual(
    [...mounts.entries()],
    [
      [22, { major: 254, minor: 0 }],
      [45, { major: 0, minor: 38 }],
    ],
  );
});
