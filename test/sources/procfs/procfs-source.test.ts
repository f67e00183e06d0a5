// readProcfs on /proc-shaped trees built in a temp dir (real files, real symlinks), and on this
// machine's real /proc.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';
import { ProcfsCache } from '../../../src/sources/procfs/procfs-cache.js';
import { FULL_READ_EVERY } from '../../../src/sources/procfs/fd-table-memo.js';
import { execa } from 'execa';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import { splitDev } from '../../../src/util/devnum.js';
import { sleepingShell } from '../../support/sleeping-shell.js';

const BTIME = 1763880000;

function statLine(pid: number, comm: string, startTicks: number, state = 'S', ppid = 1): string {
  return (
    `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 ${startTicks} 1000 10 ` +
    '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n'
  );
}

interface FakeProcess {
  pid: number;
  comm: string;
  startTicks: number;
  cmdline: string[];
  uid?: number;
  rssKb?: number;
  /** fd number → symlink target, with its fdinfo text (default: an old kernel's, without ino:). */
  fds?: Record<number, { target: string; fdinfo?: string }>;
  /** Threads and context switches in status (absent: a status without them, never taken as unchanged). */
  counters?: { threads: number; voluntary: number; involuntary: number };
}

function statusText(p: FakeProcess): string {
  const c = p.counters;
  return (
    `Name:\t${p.comm}\nUid:\t${p.uid ?? 0}\t0\t0\t0\n${p.rssKb === undefined ? '' : `VmRSS:\t${p.rssKb} kB\n`}` +
    (c
      ? `Threads:\t${c.threads}\nvoluntary_ctxt_switches:\t${c.voluntary}\n` +
        `nonvoluntary_ctxt_switches:\t${c.involuntary}\n`
      : '')
  );
}

async function writeProcess(root: string, p: FakeProcess): Promise<void> {
  const dir = path.join(root, String(p.pid));
  await mkdir(path.join(dir, 'fd'), { recursive: true });
  await mkdir(path.join(dir, 'fdinfo'), { recursive: true });
  await writeFile(path.join(dir, 'stat'), statLine(p.pid, p.comm, p.startTicks));
  await writeFile(path.join(dir, 'cmdline'), p.cmdline.map((a) => a + '\0').join(''));
  await writeFile(path.join(dir, 'status'), statusText(p));
  for (const [fd, { target, fdinfo }] of Object.entries(p.fds ?? {})) {
    await symlink(target, path.join(dir, 'fd', fd));
    await writeFile(path.join(dir, 'fdinfo', fd), fdinfo ?? 'pos:\t0\nflags:\t0100000\nmnt_id:\t27\n');
  }
  // Mount 27 is the filesystem of the temp files, with the device the kernel prints in /proc/locks.
  await writeFile(
    path.join(dir, 'mountinfo'),
    `25 1 0:6 / /dev rw - devtmpfs udev rw\n27 1 ${mountDev.major}:${mountDev.minor} / / rw - ext4 /dev/root rw\n`,
  );
}

let work: string;
let image: string;
let lockedByTool: string;
let unlocked: string;
let imageId: { ino: number; major: number; minor: number };
let toolId: { ino: number; major: number; minor: number };
let mountDev: { major: number; minor: number };

async function fileId(file: string) {
  const st = await stat(file);
  return { ino: st.ino, ...splitDev(st.dev) };
}
const hex = (n: number) => n.toString(16).padStart(2, '0');

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-procfs-'));
  image = path.join(work, 'disk.qcow2');
  lockedByTool = path.join(work, 'backup.lock');
  unlocked = path.join(work, 'notes.txt');
  for (const f of [image, lockedByTool, unlocked]) await writeFile(f, 'x');
  imageId = await fileId(image);
  toolId = await fileId(lockedByTool);
  mountDev = { major: imageId.major, minor: imageId.minor };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A tree with a qemu (pid 1 here, so not restricted), a backup tool holding a flock, and broken entries. */
async function buildTree(name: string, opts: { withPid1?: boolean } = {}): Promise<string> {
  const root = path.join(work, name);
  await mkdir(root);
  await writeFile(path.join(root, 'stat'), `cpu  1 2 3 4\nintr 5\nbtime ${BTIME}\nprocesses 9\n`);
  const imgDev = `${hex(imageId.major)}:${hex(imageId.minor)}:${imageId.ino}`;
  const toolDev = `${hex(toolId.major)}:${hex(toolId.minor)}:${toolId.ino}`;
  await writeFile(
    path.join(root, 'locks'),
    [
      `1: OFDLCK ADVISORY  READ -1 ${imgDev} 100 101`,
      `2: FLOCK  ADVISORY  READ 300 ${toolDev} 0 EOF`,
      `3: this line is not a lock`,
      '',
    ].join('\n'),
  );
  const qemuPid = opts.withPid1 === false ? 11 : 1;
  await writeProcess(root, {
    pid: qemuPid,
    comm: 'qemu-system-x86',
    startTicks: 50000,
    uid: 0,
    rssKb: 4096,
    cmdline: [
      '/usr/bin/qemu-system-x86_64',
      '-name',
      'guest=web-1,debug-threads=on',
      '-uuid',
      '11111111-2222-3333-4444-555555555555',
    ],
    fds: {
      0: { target: '/dev/null' },
      3: { target: 'socket:[4242]' },
      7: {
        target: image,
        fdinfo:
          `pos:\t0\nflags:\t02100002\nmnt_id:\t27\nino:\t${imageId.ino}\n` +
          `lock:\t1: OFDLCK ADVISORY  READ -1 ${imgDev} 100 101\n`,
      },
      9: { target: unlocked },
      12: { target: '/dev/net/tun', fdinfo: 'pos:\t0\nflags:\t02004002\nmnt_id:\t25\nino:\t99\niff:\tvnet7\n' },
      13: { target: '/dev/vhost-net', fdinfo: 'pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t100\n' },
      20: { target: path.join(work, 'deleted-meanwhile.img') },
    },
  });
  await writeProcess(root, {
    pid: 300,
    comm: 'flock',
    startTicks: 90000,
    uid: 1000,
    cmdline: ['flock', '-s', lockedByTool, 'sleep', '600'],
    fds: {
      3: {
        target: lockedByTool,
        fdinfo:
          `pos:\t0\nflags:\t0100000\nmnt_id:\t27\nino:\t${toolId.ino}\n` +
          `lock:\t1: FLOCK  ADVISORY  READ 300 ${toolDev} 0 EOF\n`,
      },
      4: { target: unlocked },
      5: { target: image, fdinfo: 'pos:\t0\nflags:\t0100000\nmnt_id:\t27\n' },
    },
  });
  // A kernel thread: no cmdline, no VmRSS, no fds.
  await writeProcess(root, { pid: 2, comm: 'kthreadd', startTicks: 0, cmdline: [] });
  // Exited between readdir and read: the directory is there, its files are not.
  await mkdir(path.join(root, '400'));
  // An entry that cannot be read as a file and is not a vanished process.
  await mkdir(path.join(root, '500', 'stat'), { recursive: true });
  await writeFile(path.join(root, '500', 'cmdline'), 'x\0');
  await writeFile(path.join(root, '500', 'status'), 'Uid:\t0\t0\t0\t0\n');
  // Garbage in stat.
  await mkdir(path.join(root, '600'));
  await writeFile(path.join(root, '600', 'stat'), 'garbage');
  await writeFile(path.join(root, '600', 'cmdline'), '');
  await writeFile(path.join(root, '600', 'status'), '');
  // Not processes.
  await mkdir(path.join(root, 'self'));
  await mkdir(path.join(root, 'sys'));
  return root;
}

test('readProcfs reads processes, the fds that matter, fdinfo and the lock table', async () => {
  const root = await buildTree('full');
  const s = await readProcfs(root);
  assert.equal(s.bootTimeSeconds, BTIME);
  assert.equal(s.restricted, false);
  assert.deepEqual(s.processes, [
    {
      pid: 1,
      ppid: 1,
      comm: 'qemu-system-x86',
      state: 'S',
      uid: 0,
      rssBytes: 4096 * 1024,
      hugetlbBytes: null,
      startTimeSeconds: BTIME + 500,
      cmdline: [
        '/usr/bin/qemu-system-x86_64',
        '-name',
        'guest=web-1,debug-threads=on',
        '-uuid',
        '11111111-2222-3333-4444-555555555555',
      ],
    },
    {
      pid: 2,
      ppid: 1,
      comm: 'kthreadd',
      state: 'S',
      uid: 0,
      rssBytes: null,
      hugetlbBytes: null,
      startTimeSeconds: BTIME,
      cmdline: [],
    },
    {
      pid: 300,
      ppid: 1,
      comm: 'flock',
      state: 'S',
      uid: 1000,
      rssBytes: null,
      hugetlbBytes: null,
      startTimeSeconds: BTIME + 900,
      cmdline: ['flock', '-s', lockedByTool, 'sleep', '600'],
    },
  ]);
  const fileOf = (id: typeof imageId) => ({ inode: id.ino, devMajor: id.major, devMinor: id.minor });
  const unlockedId = await fileId(unlocked);
  const devText = (id: typeof imageId) => `${hex(id.major)}:${hex(id.minor)}:${id.ino}`;
  const imageLock = {
    lockClass: 'OFDLCK',
    mode: 'ADVISORY',
    access: 'READ',
    pid: -1,
    devMajor: imageId.major,
    devMinor: imageId.minor,
    inode: imageId.ino,
    start: 100,
    end: 101,
    raw: `1: OFDLCK ADVISORY  READ -1 ${devText(imageId)} 100 101`,
  };
  const toolLock = {
    lockClass: 'FLOCK',
    mode: 'ADVISORY',
    access: 'READ',
    pid: 300,
    devMajor: toolId.major,
    devMinor: toolId.minor,
    inode: toolId.ino,
    start: 0,
    end: null,
    raw: `1: FLOCK  ADVISORY  READ 300 ${devText(toolId)} 0 EOF`,
  };
  assert.deepEqual(s.openFiles, [
    // qemu: every regular file (locked or not), plus tun and vhost; not /dev/null, sockets or vanished targets.
    {
      pid: 1,
      fd: 7,
      target: image,
      ...fileOf(imageId),
      mntId: 27,
      locks: [imageLock],
      tapInterface: null,
      vfioDeviceSyspath: null,
    },
    {
      pid: 1,
      fd: 9,
      target: unlocked,
      ...fileOf(unlockedId),
      mntId: 27,
      locks: [],
      tapInterface: null,
      vfioDeviceSyspath: null,
    },
    {
      pid: 1,
      fd: 12,
      target: '/dev/net/tun',
      inode: null,
      devMajor: null,
      devMinor: null,
      mntId: 25,
      locks: [],
      tapInterface: 'vnet7',
      vfioDeviceSyspath: null,
    },
    {
      pid: 1,
      fd: 13,
      target: '/dev/vhost-net',
      inode: null,
      devMajor: null,
      devMinor: null,
      mntId: 25,
      locks: [],
      tapInterface: null,
      vfioDeviceSyspath: null,
    },
    // Any other process: only files whose inode is in the lock table (its flock, and the image qemu locks).
    {
      pid: 300,
      fd: 3,
      target: lockedByTool,
      ...fileOf(toolId),
      mntId: 27,
      locks: [toolLock],
      tapInterface: null,
      vfioDeviceSyspath: null,
    },
    {
      pid: 300,
      fd: 5,
      target: image,
      ...fileOf(imageId),
      mntId: 27,
      locks: [],
      tapInterface: null,
      vfioDeviceSyspath: null,
    },
  ]);
  assert.deepEqual(
    s.locks.map((l) => [l.ordinal, l.lockClass, l.pid, l.inode]),
    [
      [1, 'OFDLCK', -1, imageId.ino],
      [2, 'FLOCK', 300, toolId.ino],
    ],
  );
  // Vanished pid 400 is silent; the directory-as-stat and the garbage stat are counted problems.
  assert.equal(s.problems.length, 3, s.problems.join('\n'));
  assert.equal(s.problems[0], 'unparsed /proc/locks line: 3: this line is not a lock');
  assert.ok(
    s.problems.some((p) => p.startsWith('pid 500: ') && /EISDIR/.test(p)),
    s.problems.join('\n'),
  );
  assert.ok(s.problems.includes('pid 600: malformed stat line'), s.problems.join('\n'));
  assert.ok(!s.problems.some((p) => p.includes('400') || p.includes('deleted-meanwhile')));
});

test('readProcfs: no pid 1 visible means restricted (hidepid, another pid namespace)', async () => {
  const root = await buildTree('nopid1', { withPid1: false });
  const s = await readProcfs(root);
  assert.equal(s.restricted, true);
  assert.deepEqual(
    s.processes.map((p) => p.pid),
    [2, 11, 300],
  );
});

test('readProcfs: a missing lock table reads as no locks', async () => {
  const root = await buildTree('nolocks');
  await rm(path.join(root, 'locks'));
  const s = await readProcfs(root);
  assert.deepEqual(s.locks, []);
  // Without locks the tool's fds are no longer interesting; qemu's still are.
  assert.deepEqual(
    s.openFiles.map((f) => [f.pid, f.fd]),
    [
      [1, 7],
      [1, 9],
      [1, 12],
      [1, 13],
    ],
  );
});

test('readProcfs on a missing root or a root without stat is SourceAbsentError', async () => {
  await assert.rejects(
    readProcfs(path.join(work, 'does-not-exist')),
    (e: unknown) => isSourceAbsentError(e) && /cannot read .*does-not-exist/.test((e as Error).message),
  );
  const empty = path.join(work, 'empty');
  await mkdir(empty);
  await assert.rejects(readProcfs(empty), isSourceAbsentError);
  const noBtime = path.join(work, 'nobtime');
  await mkdir(noBtime);
  await writeFile(path.join(noBtime, 'stat'), 'cpu 1 2 3\n');
  await assert.rejects(
    readProcfs(noBtime),
    (e: unknown) => isSourceAbsentError(e) && /no btime/.test((e as Error).message),
  );
});

test('readProcfs stops when its signal is already aborted', async () => {
  const root = await buildTree('aborted');
  const controller = new AbortController();
  controller.abort(new Error('collector timeout'));
  await assert.rejects(readProcfs(root, controller.signal), /collector timeout/);
});

test("readProcfs on this machine's /proc finds this test process with its command line", async () => {
  const s = await readProcfs('/proc');
  const self = s.processes.find((p) => p.pid === process.pid);
  assert.ok(self, `pid ${process.pid} not found among ${s.processes.length} processes`);
  assert.equal(self.ppid, process.ppid);
  assert.equal(self.comm, 'node');
  assert.ok(self.cmdline.length >= 2);
  // The test runner's worker process: its argv exactly, as the kernel has it.
  assert.deepEqual(self.cmdline, [process.argv0, ...process.execArgv, ...process.argv.slice(1)]);
  assert.equal(self.uid, process.getuid?.());
  assert.ok(self.rssBytes !== null && self.rssBytes > 1024 * 1024);
  const now = Date.now() / 1000;
  assert.ok(
    self.startTimeSeconds <= now + 1 && self.startTimeSeconds > now - 600,
    `start ${self.startTimeSeconds} vs now ${now}`,
  );
  assert.ok(s.bootTimeSeconds < self.startTimeSeconds);
  assert.equal(s.restricted, false);
  assert.ok(
    s.processes.every((p, i, all) => i === 0 || all[i - 1]!.pid < p.pid),
    'sorted by pid',
  );
});

test('readProcfs reads a command line once per process, again after an exec (new comm) or a pid reuse', async () => {
  const root = await buildTree('cmdline-cache');
  const cache = new ProcfsCache();
  const first = await readProcfs(root, undefined, [], cache);
  const qemu = first.processes.find((p) => p.pid === 1);
  assert.equal(qemu?.cmdline[0], '/usr/bin/qemu-system-x86_64');

  // Same pid, start time and comm: the cached command line, not the file.
  await writeFile(path.join(root, '1', 'cmdline'), 'changed\0');
  const second = await readProcfs(root, undefined, [], cache);
  assert.equal(second.processes.find((p) => p.pid === 1)?.cmdline[0], '/usr/bin/qemu-system-x86_64');

  // An exec keeps pid and start time but changes comm: read again.
  await writeFile(path.join(root, '1', 'stat'), statLine(1, 'qemu-kvm', 50000));
  const third = await readProcfs(root, undefined, [], cache);
  assert.deepEqual(third.processes.find((p) => p.pid === 1)?.cmdline, ['changed']);

  // A new process with a reused pid (another start time): read again.
  await writeFile(path.join(root, '1', 'cmdline'), 'reused\0');
  await writeFile(path.join(root, '1', 'stat'), statLine(1, 'qemu-kvm', 60000));
  const fourth = await readProcfs(root, undefined, [], cache);
  assert.deepEqual(fourth.processes.find((p) => p.pid === 1)?.cmdline, ['reused']);
});

test('readProcfs: a cmdline read that never returns: the process kept, empty, with a problem', async () => {
  const root = await buildTree('cmdline-hung');
  // A FIFO with no writer: reading it blocks in the kernel like a cmdline behind a held memory lock.
  const fifo = path.join(root, '300', 'cmdline');
  await rm(fifo);
  await execa('mkfifo', [fifo]);
  try {
    // Nothing writes to the FIFO before the finally below: readProcfs returning shows it did not wait.
    const s = await readProcfs(root, undefined, [], new ProcfsCache(200));
    assert.deepEqual(s.processes.find((p) => p.pid === 300)?.cmdline, []);
    assert.ok(s.problems.includes('pid 300 cmdline: the read has not returned; shown empty'), s.problems.join('\n'));
    assert.ok(s.processes.some((p) => p.pid === 1 && p.cmdline.length > 0));
  } finally {
    // Release the thread-pool thread still blocked in open(): a writer lets it return.
    await writeFile(fifo, 'x\0');
  }
});

/** A tree with a backup tool (pid 700) that sleeps with no file open; a pool directory with one image. */
async function buildSleeperTree(name: string): Promise<{ root: string; pool: string; poolImage: string }> {
  const root = await buildTree(name);
  const pool = path.join(work, `${name}-pool`);
  await mkdir(pool);
  const poolImage = path.join(pool, 'guest.qcow2');
  await writeFile(poolImage, 'x');
  await writeProcess(root, {
    pid: 700,
    comm: 'backup-tool',
    startTicks: 70000,
    cmdline: ['backup-tool'],
    fds: { 0: { target: '/dev/null' }, 1: { target: 'pipe:[5151]' } },
    counters: { threads: 1, voluntary: 10, involuntary: 2 },
  });
  return { root, pool, poolImage };
}

async function openInFixture(root: string, pid: number, fd: number, target: string): Promise<void> {
  const ino = (await stat(target.replace(/ \(deleted\)$/, ''))).ino;
  await symlink(target, path.join(root, String(pid), 'fd', String(fd)));
  await writeFile(
    path.join(root, String(pid), 'fdinfo', String(fd)),
    `pos:\t0\nflags:\t0100000\nmnt_id:\t27\nino:\t${ino}\n`,
  );
}

test('readProcfs lists a process again once it has run: a file it opened since is found', async () => {
  const { root, pool, poolImage } = await buildSleeperTree('memo-ran');
  const cache = new ProcfsCache();
  const first = await readProcfs(root, undefined, [pool], cache);
  assert.deepEqual(
    first.openFiles.filter((f) => f.pid === 700),
    [],
  );

  // The tool wakes, opens an image in the pool and sleeps again: a voluntary context switch more.
  await openInFixture(root, 700, 5, poolImage);
  await writeFile(
    path.join(root, '700', 'status'),
    statusText({
      pid: 700,
      comm: 'backup-tool',
      startTicks: 70000,
      cmdline: [],
      counters: { threads: 1, voluntary: 11, involuntary: 2 },
    }),
  );
  const second = await readProcfs(root, undefined, [pool], cache);
  assert.deepEqual(
    second.openFiles.filter((f) => f.pid === 700).map((f) => [f.fd, f.target]),
    [[5, poolImage]],
  );
});

test('readProcfs keeps the links of a process that has not run, until its turn to be listed afresh', async () => {
  const { root, pool, poolImage } = await buildSleeperTree('memo-still');
  const cache = new ProcfsCache();
  await readProcfs(root, undefined, [pool], cache);
  // Counters unchanged: the fd table cannot have changed on a real kernel; here the fixture changes it anyway,
  // which shows the links listed last time stand until the process's turn (at most FULL_READ_EVERY collections).
  await openInFixture(root, 700, 5, poolImage);
  let collections = 1;
  let found = false;
  for (; collections <= FULL_READ_EVERY + 1 && !found; collections++) {
    const s = await readProcfs(root, undefined, [pool], cache);
    found = s.openFiles.some((f) => f.pid === 700 && f.fd === 5);
    if (collections === 1) assert.equal(found, false, 'the second collection takes the links from the first');
  }
  assert.ok(found, `listed afresh within ${FULL_READ_EVERY} collections`);
});

test('readProcfs reads a remembered fd that matters afresh: its link and fdinfo are today’s', async () => {
  const { root, pool, poolImage } = await buildSleeperTree('memo-kept');
  await openInFixture(root, 700, 5, poolImage);
  const cache = new ProcfsCache();
  const first = await readProcfs(root, undefined, [pool], cache);
  assert.deepEqual(
    first.openFiles.filter((f) => f.pid === 700).map((f) => f.target),
    [poolImage],
  );
  // The image is deleted while the tool sleeps (counters unchanged): the kernel's link says so.
  await rm(path.join(root, '700', 'fd', '5'));
  await symlink(`${poolImage} (deleted)`, path.join(root, '700', 'fd', '5'));
  const second = await readProcfs(root, undefined, [pool], cache);
  assert.deepEqual(
    second.openFiles.filter((f) => f.pid === 700).map((f) => f.target),
    [`${poolImage} (deleted)`],
  );
});

test('readProcfs on the real /proc: a sleeping shell that opens a file in a pool in between is seen', async () => {
  const pool = await mkdtemp(path.join(work, 'real-pool-'));
  const image = path.join(pool, 'disk.img');
  await writeFile(image, 'x');
  const shell = sleepingShell();
  try {
    const pid = shell.pid;
    await shell.ran('true');
    const cache = new ProcfsCache();
    const first = await readProcfs('/proc', undefined, [pool], cache);
    assert.ok(first.processes.some((p) => p.pid === pid));
    assert.ok(cache.fdTable(pid), 'a single-threaded shell is remembered');
    const second = await readProcfs('/proc', undefined, [pool], cache);
    assert.deepEqual(
      second.openFiles.filter((f) => f.pid === pid),
      [],
    );
    await shell.ran(`exec 7<${JSON.stringify(image)}`);
    const third = await readProcfs('/proc', undefined, [pool], cache);
    assert.deepEqual(
      third.openFiles.filter((f) => f.pid === pid).map((f) => [f.fd, f.target]),
      [[7, image]],
    );
  } finally {
    shell.kill();
    await shell;
  }
});
