// The collection's one walk of /proc: each process's stat read once, shared by the procfs and virthandler sources.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readProcessList, sharedProcessList } from '../../../src/sources/shared/process-list.js';
import { SharedWork } from '../../../src/sources/shared-work.js';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';
import { readVirtHandler } from '../../../src/sources/virthandler/virthandler-source.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';

const statLine = (pid: number, comm: string) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 5000 1000 10 0 0 0 0 0 0 0 0 0 0\n`;

async function tree(processes: Record<number, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vmz-plist-'));
  await writeFile(path.join(root, 'stat'), 'cpu 1 2 3\nbtime 1763880000\n');
  for (const [pid, comm] of Object.entries(processes)) {
    await mkdir(path.join(root, pid, 'fd'), { recursive: true });
    await writeFile(path.join(root, pid, 'stat'), statLine(Number(pid), comm));
    await writeFile(path.join(root, pid, 'status'), `Name:\t${comm}\nUid:\t0\t0\t0\t0\n`);
    await writeFile(path.join(root, pid, 'cmdline'), `${comm}\0`);
  }
  return root;
}

test('readProcessList: the stat of each process; what cannot be read or parsed is handed on, not thrown', async () => {
  const root = await tree({ 1: 'systemd', 42: 'virt-handler' });
  await mkdir(path.join(root, '77')); // exited between the listing and the read
  await mkdir(path.join(root, '88'));
  await writeFile(path.join(root, '88', 'stat'), 'garbage');
  await mkdir(path.join(root, 'self'));
  const list = await readProcessList(root);
  assert.deepEqual(
    list.listed.map((p) => [p.pid, p.stat.comm]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [1, 'systemd'],
      [42, 'virt-handler'],
    ],
  );
  assert.deepEqual(
    list.failed.map((f) => [f.pid, (f.error as { code?: string }).code ?? (f.error as Error).message]).sort(),
    [
      [77, 'ENOENT'],
      [88, 'malformed stat line'],
    ],
  );
});

test('sharedProcessList: one walk per collection; a new collection (or a source on its own) walks again', async () => {
  const root = await tree({ 1: 'systemd', 42: 'virt-handler' });
  const shared = new SharedWork();
  const first = await sharedProcessList(root, shared);
  await writeFile(path.join(root, '42', 'stat'), statLine(42, 'renamed'));
  assert.equal(await sharedProcessList(root, shared), first);
  const comms = async (list: ReturnType<typeof readProcessList>) => (await list).listed.map((p) => p.stat.comm).sort();
  assert.deepEqual(await comms(sharedProcessList(root, new SharedWork())), ['renamed', 'systemd']);
  assert.deepEqual(await comms(sharedProcessList(root, undefined)), ['renamed', 'systemd']);
});

test('procfs and virthandler in one collection read each stat once: both see the same walk', async () => {
  const root = await tree({ 1: 'systemd', 42: 'virt-handler' });
  const shared = new SharedWork();
  // virthandler walks first (it finds virt-handler, then fails quietly on its missing cgroup).
  const handlers = await readVirtHandler(root, path.join(root, 'sys'), 'h', undefined, shared);
  assert.deepEqual(handlers.handlers, []);
  // pid 42 execs another program after the walk: procfs, later in the same collection, reports the walk's comm.
  await writeFile(path.join(root, '42', 'stat'), statLine(42, 'sleep'));
  const procfs = await readProcfs(root, undefined, [], undefined, shared);
  assert.deepEqual(
    procfs.processes.map((p) => [p.pid, p.comm]),
    [
      [1, 'systemd'],
      [42, 'virt-handler'],
    ],
  );
  // The next collection walks again.
  await assert.rejects(readVirtHandler(root, path.join(root, 'sys'), 'h', undefined, new SharedWork()), (e: unknown) =>
    isSourceAbsentError(e),
  );
});

test('sharedProcessList: a source whose own timeout has passed stops, the shared walk does not', async () => {
  const root = await tree({ 1: 'systemd' });
  const shared = new SharedWork();
  const aborted = AbortSignal.abort(new Error('collector timeout'));
  await assert.rejects(sharedProcessList(root, shared, aborted), /collector timeout/);
  assert.equal((await sharedProcessList(root, shared)).listed.length, 1);
});
