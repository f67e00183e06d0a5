// When the fd links listed at an earlier collection stand for this one: a table of process states.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  FULL_READ_EVERY,
  reusableFdLinks,
  unchangedByRunStamp,
  type FdTableMemo,
  type ProcessNow,
} from '../../../src/sources/procfs/fd-table-memo.js';

const links = [{ fd: '5', target: '/var/lib/libvirt/images/a.qcow2' }];
const memo: FdTableMemo = {
  startTicks: 500,
  runStamp: null,
  counters: { threads: 1, voluntarySwitches: 10, involuntarySwitches: 2 },
  process: {
    pid: 42,
    ppid: 1,
    comm: 'backup-tool',
    state: 'S',
    cmdline: ['backup-tool'],
    uid: 1000,
    startTimeSeconds: 1763880005,
    rssBytes: 4096,
    hugetlbBytes: 0,
  },
  links,
};
const now: ProcessNow = {
  pid: 42,
  comm: 'backup-tool',
  state: 'S',
  startTicks: 500,
  threads: 1,
  runStamp: null,
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
    ['a voluntary switch since', memo, { ...now, counters: { ...now.counters!, voluntarySwitches: 11 } }, false],
    ['preempted since', memo, { ...now, counters: { ...now.counters!, involuntarySwitches: 3 } }, false],
    ['a second thread now', memo, { ...now, threads: 2, counters: { ...now.counters!, threads: 2 } }, false],
    [
      'two threads then',
      { ...memo, counters: { threads: 2, voluntarySwitches: 10, involuntarySwitches: 2 } },
      now,
      false,
    ],
    ['another process with the pid (another start time)', memo, { ...now, startTicks: 900 }, false],
    ['no counters in status', memo, { ...now, counters: null }, false],
    ['qemu (always listed)', memo, { ...now, comm: 'qemu-system-x86' }, false],
    ['stamped then and now: the stamps decide', { ...memo, runStamp: '5 0 1' }, { ...now, runStamp: '9 0 2' }, false],
    ['stamped now only (listed before schedstat was read)', memo, { ...now, runStamp: '9 0 2' }, true],
  ];
  for (const [what, before, current, reused] of cases) {
    assert.equal(reusableFdLinks(before, current, COLLECTION) === links, reused, what);
  }
});

test('reusableFdLinks: every process gets its turn to be listed afresh once in FULL_READ_EVERY collections', () => {
  const turns = Array.from({ length: FULL_READ_EVERY }, (_, c) => reusableFdLinks(memo, now, c) === null);
  assert.equal(turns.filter(Boolean).length, 1);
});

test('unchangedByRunStamp: the memo stands, status and all, when the run stamp has not moved', () => {
  const stamped: FdTableMemo = { ...memo, runStamp: '1541752 0 1', counters: null };
  const quiet: ProcessNow = { ...now, runStamp: '1541752 0 1', counters: null };
  const cases: Array<[string, FdTableMemo | undefined, ProcessNow, boolean]> = [
    ['same stamp, sleeping', stamped, quiet, true],
    ['never listed', undefined, quiet, false],
    ['ran since (run count moved)', stamped, { ...quiet, runStamp: '1581576 0 2' }, false],
    ['on a CPU all along (run time moved)', stamped, { ...quiet, runStamp: '1600000 0 1' }, false],
    ['no stamp now (schedstat unreadable)', stamped, { ...quiet, runStamp: null }, false],
    ['no stamp then (listed without schedstat)', memo, quiet, false],
    ['running now', stamped, { ...quiet, state: 'R' }, false],
    ['a second thread now', stamped, { ...quiet, threads: 2 }, false],
    ['another process with the pid (another start time)', stamped, { ...quiet, startTicks: 900 }, false],
    ['qemu (always listed)', stamped, { ...quiet, comm: 'qemu-system-x86' }, false],
  ];
  for (const [what, before, current, kept] of cases) {
    assert.equal(unchangedByRunStamp(before, current, COLLECTION) === before, kept, what);
  }
  const turns = Array.from({ length: FULL_READ_EVERY }, (_, c) => unchangedByRunStamp(stamped, quiet, c) === null);
  assert.equal(turns.filter(Boolean).length, 1, 'its turn to be read afresh comes once in FULL_READ_EVERY');
});
