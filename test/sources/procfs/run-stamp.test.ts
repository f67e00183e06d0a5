// readProcfs with run stamps (/proc/<pid>/schedstat): a process whose stamp has not moved is taken from the last
// collection (stat, status, fd links); one that ran is read again; a /proc without schedstat falls back to status.
// On /proc-shaped trees in a temp dir, and on this machine's real /proc.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sleepingShell } from '../../support/sleeping-shell.js';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';
import { ProcfsCache } from '../../../src/sources/procfs/procfs-cache.js';
import { FULL_READ_EVERY } from '../../../src/sources/procfs/fd-table-memo.js';
import { FULL_STAT_EVERY, parseRunStamp } from '../../../src/sources/shared/process-table.js';
import { SharedWork } from '../../../src/sources/shared-work.js';

interface Proc {
  pid: number;
  comm: string;
  startTicks: number;
  uid?: number;
  /** /proc/<pid>/schedstat; absent: a kernel without it. */
  schedstat?: string | undefined;
  voluntary?: number;
}

const statLine = (p: Proc) =>
  `${p.pid} (${p.comm}) S 1 ${p.pid} ${p.pid} 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 ${p.startTicks} 1000 10 ` +
  '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n';
const statusText = (p: Proc) =>
  `Name:\t${p.comm}\nUid:\t${p.uid ?? 0}\t0\t0\t0\nVmRSS:\t100 kB\nThreads:\t1\n` +
  `voluntary_ctxt_switches:\t${p.voluntary ?? 10}\nnonvoluntary_ctxt_switches:\t2\n`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-runstamp-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeProc(root: string, p: Proc): Promise<void> {
  const dir = path.join(root, String(p.pid));
  await mkdir(path.join(dir, 'fd'), { recursive: true });
  await mkdir(path.join(dir, 'fdinfo'), { recursive: true });
  await writeFile(path.join(dir, 'stat'), statLine(p));
  await writeFile(path.join(dir, 'status'), statusText(p));
  await writeFile(path.join(dir, 'cmdline'), `${p.comm}\0`);
  await writeFile(path.join(dir, 'mountinfo'), '27 1 8:1 / / rw - ext4 /dev/root rw\n');
  if (p.schedstat !== undefined) await writeFile(path.join(dir, 'schedstat'), p.schedstat);
}

async function openIn(root: string, pid: number, fd: number, target: string): Promise<void> {
  await symlink(target, path.join(root, String(pid), 'fd', String(fd)));
  const ino = (await stat(target)).ino;
  await writeFile(
    path.join(root, String(pid), 'fdinfo', String(fd)),
    `pos:\t0\nflags:\t0100000\nmnt_id:\t27\nino:\t${ino}\n`,
  );
}

/** init and a backup tool (pid 700) that sleeps with nothing open; a pool with one image. */
async function sleeperTree(name: string, withSchedstat = true) {
  const root = path.join(work, name);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'stat'), 'cpu 1 2 3\nbtime 1763880000\n');
  const pool = path.join(work, `${name}-pool`);
  await mkdir(pool);
  const poolImage = path.join(pool, 'guest.qcow2');
  await writeFile(poolImage, 'x');
  const stamp = (s: string) => (withSchedstat ? s : undefined);
  const tool: Proc = { pid: 700, comm: 'backup-tool', startTicks: 70000, uid: 1000, schedstat: stamp('5000 300 12\n') };
  await writeProc(root, { pid: 1, comm: 'systemd', startTicks: 1, schedstat: stamp('90000 800 40\n') });
  await writeProc(root, tool);
  return { root, pool, poolImage, tool };
}

const filesOf = (s: Awaited<ReturnType<typeof readProcfs>>, pid: number) =>
  s.openFiles.filter((f) => f.pid === pid).map((f) => [f.fd, f.target]);

test('parseRunStamp: the file it was read from, run time, wait time and run count; no runs is no stamp', () => {
  assert.equal(parseRunStamp('1541752 0 1\n', 2080681), '2080681:1541752 0 1');
  assert.equal(parseRunStamp('0 0 0\n', 2080681), null);
  assert.equal(parseRunStamp('', 2080681), null);
  assert.equal(parseRunStamp('1 2\n', 2080681), null);
});

test('a process that ran between collections and opened a file is found at the next one', async () => {
  const { root, pool, poolImage } = await sleeperTree('ran');
  const cache = new ProcfsCache();
  assert.deepEqual(filesOf(await readProcfs(root, undefined, [pool], cache), 700), []);
  // The tool wakes (its run count moves), opens an image in the pool and sleeps again. The fixture leaves its status
  // counters as they were: the stamps decide.
  await openIn(root, 700, 5, poolImage);
  await writeFile(path.join(root, '700', 'schedstat'), '5400 300 13\n');
  assert.deepEqual(filesOf(await readProcfs(root, undefined, [pool], cache), 700), [[5, poolImage]]);
  assert.match(cache.fdTable(700)?.runStamp ?? '', /^\d+:5400 300 13$/);
});

test('a process whose run stamp has not moved: stat, status and fd list stand until its turn', async () => {
  const { root, pool, poolImage, tool } = await sleeperTree('quiet');
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  // The fixture changes what a real kernel could not change without the process running: the old answers stand,
  // which shows neither file nor the fd list is read again, until the process's turn comes.
  await writeProc(root, { ...tool, uid: 2000, comm: 'renamed' });
  await openIn(root, 700, 5, poolImage);
  const second = await readProcfs(root, undefined, [pool], cache);
  const quiet = second.processes.find((p) => p.pid === 700);
  assert.deepEqual([quiet?.comm, quiet?.uid, filesOf(second, 700)], ['backup-tool', 1000, []]);
  let collections = 2;
  for (; collections <= Math.max(FULL_READ_EVERY, FULL_STAT_EVERY) + 2; collections++) {
    const s = await readProcfs(root, undefined, [pool], cache);
    const p = s.processes.find((x) => x.pid === 700);
    if (p?.comm === 'renamed' && p.uid === 2000 && filesOf(s, 700).length === 1) break;
  }
  assert.ok(collections <= Math.max(FULL_READ_EVERY, FULL_STAT_EVERY) + 1, `read afresh by its turn (${collections})`);
});

test('a pid taken by a new process (another stamp) is read as the new process', async () => {
  const { root, pool, poolImage } = await sleeperTree('reused');
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  await rm(path.join(root, '700'), { recursive: true });
  await writeProc(root, { pid: 700, comm: 'qemu-img', startTicks: 90000, uid: 107, schedstat: '800 20 1\n' });
  await openIn(root, 700, 9, poolImage);
  const s = await readProcfs(root, undefined, [pool], cache);
  const p = s.processes.find((x) => x.pid === 700);
  assert.deepEqual(
    [p?.comm, p?.uid, p?.startTimeSeconds, filesOf(s, 700)],
    ['qemu-img', 107, 1763880000 + 900, [[9, poolImage]]],
  );
});

test('a pid taken by a new process whose schedstat reads the same is told apart by its files', async () => {
  const { root, pool, poolImage } = await sleeperTree('reused-same-stamp');
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  // The new process's files are new files (written beside the old ones, then moved over them: new inodes), and its
  // schedstat happens to read as the old one's did.
  const dir = path.join(root, '700');
  const fresh = path.join(work, 'reused-same-stamp-700');
  await writeProc(fresh, { pid: 700, comm: 'qemu-img', startTicks: 90000, uid: 107, schedstat: '5000 300 12\n' });
  await rm(dir, { recursive: true });
  await rename(path.join(fresh, '700'), dir);
  await openIn(root, 700, 9, poolImage);
  const s = await readProcfs(root, undefined, [pool], cache);
  const p = s.processes.find((x) => x.pid === 700);
  assert.deepEqual([p?.comm, p?.uid, filesOf(s, 700)], ['qemu-img', 107, [[9, poolImage]]]);
});

test('a stamp of no runs is never taken as unchanged', async () => {
  const { root, pool, poolImage, tool } = await sleeperTree('no-runs');
  await writeFile(path.join(root, '700', 'schedstat'), '0 0 0\n');
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  await openIn(root, 700, 5, poolImage);
  // Status counters moved too: the fallback sees it ran.
  await writeFile(path.join(root, '700', 'status'), statusText({ ...tool, voluntary: 11 }));
  assert.deepEqual(filesOf(await readProcfs(root, undefined, [pool], cache), 700), [[5, poolImage]]);
});

test('without schedstat the walk stops asking for it and status counters decide', async () => {
  const { root, pool, poolImage, tool } = await sleeperTree('no-schedstat', false);
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  assert.equal(cache.processes.readsRunStamps, false);
  assert.equal(cache.fdTable(700)?.runStamp, null);
  // Status counters unchanged: the links stand (the fixture opens a file a real kernel could not).
  await openIn(root, 700, 5, poolImage);
  assert.deepEqual(filesOf(await readProcfs(root, undefined, [pool], cache), 700), []);
  // It ran (a voluntary switch more): listed again.
  await writeFile(path.join(root, '700', 'status'), statusText({ ...tool, voluntary: 11 }));
  assert.deepEqual(filesOf(await readProcfs(root, undefined, [pool], cache), 700), [[5, poolImage]]);
});

test("the shared walk keeps its table in the engine's store: a new store reads every stat again", async () => {
  const { root, pool, tool } = await sleeperTree('shared');
  const store = new Map<string, unknown>();
  const comm = async (shared: SharedWork) =>
    (await readProcfs(root, undefined, [pool], new ProcfsCache(), shared)).processes.find((p) => p.pid === 700)?.comm;
  assert.equal(await comm(new SharedWork(store)), 'backup-tool');
  await writeFile(path.join(root, '700', 'stat'), statLine({ ...tool, comm: 'renamed' }));
  // Collection 2 and 3 of this engine (neither is pid 700's turn): the stat from collection 1 stands.
  assert.equal(await comm(new SharedWork(store)), 'backup-tool');
  assert.equal(await comm(new SharedWork(new Map())), 'renamed');
});

test('on the real /proc: a sleeping shell keeps its run stamp, and one command moves it', async () => {
  const shell = sleepingShell();
  try {
    const pid = shell.pid;
    await shell.ran('true');
    const cache = new ProcfsCache();
    await readProcfs('/proc', undefined, [], cache);
    assert.equal(cache.processes.readsRunStamps, true, 'this kernel has /proc/<pid>/schedstat');
    const first = cache.fdTable(pid)?.runStamp;
    assert.ok(first, 'the shell is remembered with a run stamp');
    await new Promise((r) => setTimeout(r, 50));
    await readProcfs('/proc', undefined, [], cache);
    assert.equal(cache.fdTable(pid)?.runStamp, first, 'asleep: the stamp has not moved');
    await shell.ran('true');
    await readProcfs('/proc', undefined, [], cache);
    assert.notEqual(cache.fdTable(pid)?.runStamp, first, 'it ran: the stamp moved and it was listed again');
  } finally {
    shell.kill();
    await shell;
  }
});

test('a process that has not run is the same object at the next collection; one that ran is read anew', async () => {
  const { root, pool, tool } = await sleeperTree('same-object');
  const cache = new ProcfsCache();
  const of = async () => (await readProcfs(root, undefined, [pool], cache)).processes.find((p) => p.pid === 700);
  const first = await of();
  assert.equal(await of(), first);
  await writeProc(root, { ...tool, uid: 2000, schedstat: '5600 300 13\n' });
  const ran = await of();
  assert.notEqual(ran, first);
  assert.deepEqual([ran?.uid, first?.uid], [2000, 1000]);
});
