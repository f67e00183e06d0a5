// When the fd links listed at an earlier collection stand for this one: a table of process states.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  FULL_READ_EVERY,
  reusableFdLinks,
  type FdTableMemo,
  type ProcessNow,
} from '../../../src/sources/procfs/fd-table-memo.js';

const links = [{ fd: '5', target: '/var/lib/libvirt/images/a.qcow2' }];
const memo: FdTableMemo = {
  startTicks: 500,
  counters: { threads: 1, voluntarySwitches: 10, involuntarySwitches: 2 },
  links,
};
const now = {
  pid: 42,
  comm: 'backup-tool',
  state: 'S',
  startTicks: 500,
  counters: { threads: 1, voluntarySwitches: 10, involuntarySwitches: 2 },
};
// Collection 1: pid 42 is not on its turn to be listed afresh (43 % 16 ≠ 0).
const COLLECTION = 1;

test('reusableFdLinks: the links stand only for the same single-threaded process that has not run since', () => {
  const cases: Array<[string, FdTableMemo | undefined, ProcessNow, boolean]> = [
    ['unchanged, sleeping', memo, now, true],
    ['unchanged, stopped', memo, { ...now, state: 'T' }, true],
    ['never listed', undefined, now, false],
    ['running now (it may have opened a file and not yet been switched out)', memo, { ...now, state: 'R' }, false],
    ['a voluntary switch since', memo, { ...now, counters: { ...now.counters, voluntarySwitches: 11 } }, false],
    ['preempted since', memo, { ...now, counters: { ...now.counters, involuntarySwitches: 3 } }, false],
    ['a second thread now', memo, { ...now, counters: { ...now.counters, threads: 2 } }, false],
    ['two threads then', { ...memo, counters: { ...memo.counters, threads: 2 } }, now, false],
    ['another process with the pid (another start time)', memo, { ...now, startTicks: 900 }, false],
    ['no counters in status', memo, { ...now, counters: null }, false],
    ['qemu (always listed)', memo, { ...now, comm: 'qemu-system-x86' }, false],
  ];
  for (const [what, before, current, reused] of cases) {
    assert.equal(reusableFdLinks(before, current, COLLECTION) === links, reused, what);
  }
});

test('reusableFdLinks: every process gets its turn to be listed afresh once in FULL_READ_EVERY collections', () => {
  const turns = Array.from({ length: FULL_READ_EVERY }, (_, c) => reusableFdLinks(memo, now, c) === null);
  assert.equal(turns.filter(Boolean).length, 1);
});
