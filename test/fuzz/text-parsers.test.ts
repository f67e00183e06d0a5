// Fuzzes the parsers of text from the host: virsh output, /proc (stat, status, cmdline, locks,
// fdinfo, mountinfo), the cgroup and environ files virt-handler is read from. Counterexamples the
// fuzzer found are kept in each `examples` list.
import { test } from 'vitest';
import fc from 'fast-check';
import { check, dataOrMeantError, linesOf } from './contract.js';
import { parseDomState, parseUuidList } from '../../src/sources/libvirt/parse-virsh.js';
import {
  parseBootTime,
  parseCmdline,
  parseFdInfo,
  parseMountinfo,
  parsePidStat,
  parsePidStatus,
  parseProcLocks,
} from '../../src/sources/procfs/parse.js';
import {
  parseEnviron,
  parseKeyValues,
  parseMemoryValue,
  parseProcCgroup,
  podUidFromCgroup,
} from '../../src/sources/virthandler/parse.js';

const anyText = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }));

test('virsh: uuid lists and domstate', () => {
  check(
    fc.oneof(anyText, linesOf(['3e2d1f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6', 'error:', 'running', '(booted)'])),
    (t) => {
      dataOrMeantError(() => parseUuidList(t), t.length);
      dataOrMeantError(() => parseDomState(t), t.length);
    },
    ['shut off ((x))', ')(', 'running (', '('.repeat(5000)],
  );
});

test('/proc/<pid>/stat, status, cmdline and /proc/stat', () => {
  check(
    fc.oneof(anyText, linesOf(['(', ')', 'R', 'S', 'Z', 'btime', 'Uid:', 'VmRSS:', 'kB', 'HugetlbPages:', '\0'])),
    (t) => {
      dataOrMeantError(() => parsePidStat(t), t.length);
      dataOrMeantError(() => parsePidStatus(t), t.length);
      dataOrMeantError(() => parseCmdline(t), t.length);
      dataOrMeantError(() => parseCmdline(Buffer.from(t, 'latin1')), t.length);
      dataOrMeantError(() => parseBootTime(t), t.length);
    },
    ['1 (a) b) R 1', '1 ()', ') (', '1 (qemu) R 99999999999999999999999 ' + '1 '.repeat(30)],
  );
});

test('/proc/locks, fdinfo and mountinfo', () => {
  const tokens = [
    '1:',
    'POSIX',
    'FLOCK',
    'OFDLCK',
    'ADVISORY',
    'MANDATORY',
    'READ',
    'WRITE',
    '-1',
    '->',
    '00:2d:1234',
    'fd:01:99',
    'EOF',
    'lock:',
    'pos:',
    'flags:',
    'mnt_id:',
    'ino:',
    'iff:',
    'tap0',
    'vfio-device-syspath:',
    '/sys/x',
    '-',
    'ext4',
    '253:1',
    '0:0',
    '/',
  ];
  check(
    fc.oneof(anyText, linesOf(tokens, 40)),
    (t) => {
      dataOrMeantError(() => parseProcLocks(t), t.length);
      dataOrMeantError(() => parseFdInfo(t), t.length);
      dataOrMeantError(() => parseMountinfo(t), t.length);
    },
    [
      '1: POSIX ADVISORY READ 1 ffffffffffffffffff:1:1 0 EOF',
      'lock:\t1: FLOCK',
      '36 35 98:0 / / - x',
      'mnt_id:\t' + '9'.repeat(400),
    ],
  );
});

test('cgroup, environ, memory values and key/value files of virt-handler', () => {
  check(
    fc.oneof(
      anyText,
      linesOf(['0::', '/kubepods', 'pod', '.slice', 'max', 'memory', 'anon', 'oom_kill', '=', '\0', '12:memory:']),
    ),
    (t) => {
      dataOrMeantError(() => parseProcCgroup(t), t.length);
      dataOrMeantError(() => podUidFromCgroup(t), t.length);
      dataOrMeantError(() => parseEnviron(t), t.length);
      dataOrMeantError(() => parseEnviron(Buffer.from(t, 'latin1')), t.length);
      dataOrMeantError(() => parseMemoryValue(t), t.length);
      dataOrMeantError(() => parseKeyValues(t), t.length);
    },
    ['max', '9'.repeat(400), '=\0=\0', '0::/kubepods.slice/kubepods-pod__.slice'],
  );
});
