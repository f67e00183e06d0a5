// VirshShell and LibvirtReader against fake `virsh` executables written here (shell scripts that
// speak virsh's stdin mode), plus splitOutputs on a transcript captured from the real virsh and a
// live run against libvirt's test driver (no daemon needed).
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirshShell, splitOutputs } from '../../../src/sources/libvirt/virsh-shell.js';
import { LibvirtReader } from '../../../src/sources/libvirt/libvirt-reader.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import { parseDomainXml } from '../../../src/sources/shared/parse-domain-xml.js';
import { parseDomState, parseUuidList } from '../../../src/sources/libvirt/parse-virsh.js';
import { killStartedFakes, makeFake as makeFakeShared, waitGone } from '../../support/fake-virsh.js';
import { answerOverview } from '../../support/fake-virsh-answers.js';

const CAPTURED = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/captured');
const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

let work: string;
const makeFake = (name: string, mode = '') => makeFakeShared(work, name, mode);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-virsh-'));
});

afterAll(async () => {
  // Only the fakes this file started, by pid, in case an assertion failed before they were stopped.
  killStartedFakes();
  await rm(work, { recursive: true, force: true });
});

test('splitOutputs on a transcript captured from the real virsh 9.0 in stdin mode', () => {
  const transcript = readFileSync(path.join(CAPTURED, 'virsh-shell-transcript.txt'), 'utf8');
  const commands = [
    'list --all --uuid',
    'list --all --uuid --autostart',
    `dumpxml ${TEST_UUID}`,
    `domstate --reason ${TEST_UUID}`,
    'domstate --reason no-such-domain',
  ];
  const outputs = splitOutputs(transcript, commands, 1);
  assert.equal(outputs.length, 5);
  assert.equal(outputs[0], `${TEST_UUID}\n`);
  assert.equal(outputs[1], '');
  assert.ok(outputs[2]!.startsWith("<domain type='test' id='1'>\n"), outputs[2]!.slice(0, 80));
  assert.ok(!outputs[2]!.includes('virsh >'));
  const xml = parseDomainXml(outputs[2]!);
  assert.deepEqual([xml.name, xml.uuid, xml.id, xml.vcpus, xml.memoryBytes], ['test', TEST_UUID, 1, 2, 8 * 1024 ** 3]);
  assert.equal(outputs[3], 'running (unknown)\n');
  assert.deepEqual(parseDomState(outputs[3]!), { state: 'running', reason: 'unknown' });
  assert.equal(outputs[4], '');
  // The run's closing markers follow the last output on both streams.
  assert.ok(transcript.endsWith('virsh > echo --err "@@VMZ""@@ 6"\nvirsh > echo "@@VMZ""@@ 6"\n@@VMZ@@ 6virsh > \n'));
  const stderr = readFileSync(path.join(CAPTURED, 'virsh-shell-transcript-stderr.txt'), 'utf8');
  assert.equal(stderr, "error: failed to get domain 'no-such-domain'\nerror: @@VMZ@@ 6\n");
});

test('splitOutputs: sequence numbers carry across runs; a missing marker gives an empty output', () => {
  const text =
    'virsh > list --all --uuid\nA\nvirsh > echo "@@VMZ""@@ 41"\n@@VMZ@@ 41virsh > dominfo x\nB\nvirsh > echo ' +
    '"@@VMZ""@@ 42"\n@@VMZ@@ 42';
  assert.deepEqual(splitOutputs(text, ['list --all --uuid', 'dominfo x'], 41), ['A\n', 'B\n']);
  assert.deepEqual(splitOutputs(text, ['list --all --uuid', 'dominfo x', 'never ran'], 41), ['A\n', 'B\n', '']);
  // Output that merely looks like a prompt but does not echo this command is kept.
  const odd = 'virsh > something else\nC\nvirsh > echo "@@VMZ""@@ 1"\n@@VMZ@@ 1';
  assert.deepEqual(splitOutputs(odd, ['dominfo y'], 1), ['virsh > something else\nC\n']);
});

test('VirshShell runs batches through one read-only process and keeps it across runs', async () => {
  const fake = await makeFake('ok');
  await fake.answer('list --all --uuid', `${TEST_UUID}\n`);
  await fake.answer(`domstate --reason ${TEST_UUID}`, 'paused (user)\n');
  const shell = new VirshShell(fake.bin, 'qemu:///system');
  try {
    const signal = AbortSignal.timeout(10_000);
    const first = await shell.run(['list --all --uuid', `domstate --reason ${TEST_UUID}`, 'dominfo gone'], signal);
    assert.deepEqual(first.outputs, [`${TEST_UUID}\n`, 'paused (user)\n', '']);
    assert.equal(first.stderr, "error: failed to get domain 'gone'\n");
    const second = await shell.run([`domstate --reason ${TEST_UUID}`], signal);
    assert.deepEqual(second, { outputs: ['paused (user)\n'], stderr: '' });
    assert.equal((await fake.starts()).length, 1, 'one virsh process for both runs');
    assert.equal((await readFile(path.join(fake.dir, 'args'), 'utf8')).trim(), '-q -r -c qemu:///system');
    await assert.rejects(shell.run(['list\nundefine x'], signal), /single line/);
  } finally {
    await shell.close();
  }
  const [pid] = await fake.starts();
  assert.ok(await waitGone(pid!), 'close() ends the shell');
});

test('VirshShell: a virsh that hangs is killed on abort, leaves no process, and is restarted next time', async () => {
  const fake = await makeFake('hang', 'hang');
  await fake.answer('list --all --uuid', `${TEST_UUID}\n`);
  const shell = new VirshShell(fake.bin, 'qemu:///system');
  try {
    // The fake never answers in this mode: the rejection itself shows run() gave up on the abort.
    await assert.rejects(
      shell.run(['list --all --uuid'], AbortSignal.timeout(300)),
      (e: unknown) => (e as Error).name === 'TimeoutError',
    );
    const [pid] = await fake.starts();
    assert.ok(pid);
    assert.ok(await waitGone(pid), `hung virsh ${pid} still alive after abort`);

    // The next collection starts a fresh shell right away.
    await fake.setMode('');
    const next = await shell.run(['list --all --uuid'], AbortSignal.timeout(10_000));
    assert.deepEqual(next.outputs, [`${TEST_UUID}\n`]);
    assert.equal((await fake.starts()).length, 2);
  } finally {
    await shell.close();
  }
});

test('VirshShell: an abort right after a run that hung midway does not poison the next run', async () => {
  const fake = await makeFake('hang-midway', 'hang-midway');
  await fake.answer('list --all --uuid', `${TEST_UUID}\n`);
  const shell = new VirshShell(fake.bin, 'qemu:///system');
  try {
    const lists = await shell.run(['list --all --uuid'], AbortSignal.timeout(10_000));
    assert.deepEqual(lists.outputs, [`${TEST_UUID}\n`]);
    // Later starts behave; this one hangs on dumpxml.
    await fake.setMode('');
    await assert.rejects(shell.run([`dumpxml ${TEST_UUID}`], AbortSignal.timeout(300)));
    // Immediately, before the killed process has been reaped.
    const again = await shell.run(['list --all --uuid'], AbortSignal.timeout(10_000));
    assert.deepEqual(again.outputs, [`${TEST_UUID}\n`]);
    const [pid] = await fake.starts();
    assert.ok(await waitGone(pid!), `virsh ${pid} still alive after abort`);
  } finally {
    await shell.close();
  }
});

test('VirshShell: an already aborted signal runs nothing', async () => {
  const fake = await makeFake('pre-aborted');
  const shell = new VirshShell(fake.bin, 'qemu:///system');
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(shell.run(['list --all --uuid'], controller.signal), /stop/);
  assert.deepEqual(await fake.starts(), []);
  await shell.close();
});

test('VirshShell: garbage and then exit is an error naming the exit, not a hang', async () => {
  const fake = await makeFake('garbage', 'garbage-exit');
  const shell = new VirshShell(fake.bin, 'qemu:///system');
  await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(10_000)), (e: unknown) => {
    assert.ok(!isSourceAbsentError(e));
    assert.equal((e as Error).message, 'virsh exited (0): no error output');
    return true;
  });
  await shell.close();
});

describe('VirshShell: connection failures', () => {
  test('no libvirt socket: absent', async () => {
    const fake = await makeFake('connect-absent', 'connect-absent');
    const shell = new VirshShell(fake.bin, 'qemu:///system');
    await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(isSourceAbsentError(e), String(e));
      assert.match(
        (e as Error).message,
        new RegExp(
          '^libvirt is not running at qemu:///system: error: Failed to connect socket to ' +
            "'/var/run/libvirt/libvirt-sock-ro': No such file or directory$",
        ),
      );
      return true;
    });
    await shell.close();
  });
  test("permission denied: an error, with virsh's last line", async () => {
    const fake = await makeFake('connect-denied', 'connect-denied');
    const shell = new VirshShell(fake.bin, 'qemu:///system');
    await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(!isSourceAbsentError(e));
      assert.equal(
        (e as Error).message,
        "virsh exited (1): error: Failed to connect socket to '/var/run/libvirt/libvirt-sock-ro': Permission denied",
      );
      return true;
    });
    await shell.close();
  });
  test('"failed to connect to the hypervisor" alone: an error', async () => {
    const fake = await makeFake('connect-bare', 'connect-bare');
    const shell = new VirshShell(fake.bin, 'qemu:///system');
    await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(!isSourceAbsentError(e));
      assert.equal((e as Error).message, 'virsh exited (1): error: failed to connect to the hypervisor');
      return true;
    });
    await shell.close();
  });
  test('the real virsh against a socket that does not exist: absent', async () => {
    const shell = new VirshShell('virsh', `qemu+unix:///system?socket=${path.join(work, 'no-such.sock')}`);
    await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(15_000)), (e: unknown) => {
      assert.ok(isSourceAbsentError(e), String(e));
      assert.match((e as Error).message, /No such file or directory/);
      return true;
    });
    await shell.close();
  });
});

test('VirshShell: a missing binary is SourceAbsentError', async () => {
  const shell = new VirshShell(path.join(work, 'no-such-virsh'), 'qemu:///system');
  await assert.rejects(shell.run(['list --all --uuid'], AbortSignal.timeout(10_000)), (e: unknown) => {
    assert.ok(isSourceAbsentError(e), String(e));
    assert.match((e as Error).message, /no-such-virsh not found/);
    return true;
  });
  await shell.close();
});

test("VirshShell against the real virsh and libvirt's test driver", async () => {
  const shell = new VirshShell('virsh', 'test:///default');
  try {
    const signal = AbortSignal.timeout(15_000);
    const r = await shell.run(
      ['list --all --uuid', `domstate --reason ${TEST_UUID}`, 'domstate --reason no-such-domain'],
      signal,
    );
    assert.deepEqual(parseUuidList(r.outputs[0]!), { uuids: [TEST_UUID], garbage: [] });
    assert.deepEqual(parseDomState(r.outputs[1]!), { state: 'running', reason: 'unknown' });
    assert.equal(r.outputs[2], '');
    assert.match(r.stderr, /failed to get domain 'no-such-domain'/);
    const x = await shell.run([`dumpxml ${TEST_UUID}`], signal);
    assert.equal(parseDomainXml(x.outputs[0]!).name, 'test');
  } finally {
    await shell.close();
  }
});

const XML = (name: string, uuid: string, disk: string) => `<domain type='kvm' id='3'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <memory unit='KiB'>65536</memory>
  <vcpu placement='static'>2</vcpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
    <target dev='vda' bus='virtio'/></disk>
  </devices>
</domain>
`;

test('LibvirtReader: two domains, one with garbage dumpxml (a problem), one read, one vanished meanwhile', async () => {
  const fake = await makeFake('reader');
  const good = '11111111-1111-4111-8111-111111111111';
  const bad = '22222222-2222-4222-8222-222222222222';
  const vanished = '33333333-3333-4333-8333-333333333333';
  const runDir = path.join(fake.dir, 'run');
  await mkdir(runDir);
  const image = path.join(fake.dir, 'web.qcow2');
  await writeFile(image, 'qcow2 bytes');
  await writeFile(path.join(runDir, 'web &quot;1&quot;.pid'), '4242\n');
  await answerOverview(
    fake,
    [
      {
        name: 'web "1"',
        uuid: good,
        id: 3,
        state: 1,
        reason: 1,
        autostart: true,
        snapshots: ['before-upgrade', 'after-upgrade'],
        xml: XML('web &quot;1&quot;', good, image),
      },
      { name: 'bad', uuid: bad, id: null, state: 5, reason: 2, xml: '<<< this is not XML at all >>>\n' },
      { name: 'vanished', uuid: vanished, id: null, state: 5, reason: 1, transient: true, vanished: true },
    ],
    ['some stray line'],
  );
  const reader = new LibvirtReader({ virsh: fake.bin, uri: 'qemu:///system', runDir, transport: 'virsh' });
  try {
    const section = await reader.read(AbortSignal.timeout(10_000));
    assert.equal(section.uri, 'qemu:///system');
    assert.equal(section.local, true);
    assert.equal(section.domains.length, 1);
    const d = section.domains[0]!;
    assert.deepEqual(
      { ...d, disks: d.disks.map((x) => x.source) },
      {
        name: 'web "1"',
        uuid: good,
        id: 3,
        state: 'running',
        reason: 'booted',
        autostart: true,
        persistent: true,
        vcpus: 2,
        memoryBytes: 64 * 1024 * 1024,
        hugepages: false,
        disks: [image],
        hostdevs: [],
        interfaces: [],
        pid: 4242,
        snapshots: 2,
        managedSave: false,
      },
    );
    assert.equal(section.files.length, 1);
    assert.deepEqual(
      [section.files[0]!.path, section.files[0]!.exists, section.files[0]!.sizeBytes],
      [image, true, 11],
    );
    // The vanished domain is a clean "gone", not a problem.
    assert.deepEqual(section.problems, [
      'unexpected line in domain list: some stray line',
      `domain ${bad}: no <domain> element`,
    ]);
    // A second collection reuses the same virsh process.
    await reader.read(AbortSignal.timeout(10_000));
    assert.equal((await fake.starts()).length, 1);
  } finally {
    await reader.close();
  }
});

test('LibvirtReader on a remote URI reads no pids and stats no files', async () => {
  const fake = await makeFake('reader-remote');
  const uuid = '44444444-4444-4444-8444-444444444444';
  await answerOverview(fake, [
    { name: 'far', uuid, id: 1, state: 1, reason: 1, xml: XML('far', uuid, '/images/far.qcow2') },
  ]);
  const reader = new LibvirtReader({
    virsh: fake.bin,
    uri: 'qemu+ssh://root@hv2/system',
    runDir: path.join(fake.dir, 'run'),
  });
  try {
    const section = await reader.read(AbortSignal.timeout(10_000));
    assert.equal(section.local, false);
    assert.deepEqual(
      section.domains.map((d) => [d.name, d.pid, d.autostart, d.persistent]),
      [['far', null, false, true]],
    );
    assert.deepEqual(section.files, []);
    assert.deepEqual(section.problems, []);
  } finally {
    await reader.close();
  }
});
