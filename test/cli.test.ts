// The built CLI as a user runs it: `node dist/cli.js …`, on the dist/ that `npm run build` made.
import { DETECTORS } from '../src/catalog/catalog.js';
import { afterAll, beforeAll, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import net from 'node:net';
import { ALL_FLAGS } from '../src/flags.js';
import { parseSnapshot } from '../src/families/index.js';
import { assertBuilt, CLI, ROOT } from './support/built-cli.js';
import { parseShebang } from '../scripts/shipped-launch.js';

// Each test starts `node dist/cli.js` up to five times, about half a CPU-second each.
// Their wall time grows with the machine's load: a 2-core machine shared at a load of 12 per core
// stretches it past the 30 s default. The timeout only catches a hang.
vi.setConfig({ testTimeout: 120_000 });

let work: string;

function cli(...args: string[]) {
  return execa('node', [CLI, ...args], {
    cwd: ROOT,
    reject: false,
    timeout: 60_000,
    env: { LC_ALL: 'C' },
    stripFinalNewline: false,
  });
}

const TAKEN_AT = 1763884800; // 2025-11-23T08:00:00Z
const domain = (name: string, uuid: string, state: string, reason: string, extra: Record<string, unknown> = {}) => ({
  name,
  uuid,
  id: state === 'shutoff' ? null : 3,
  state,
  reason,
  autostart: false,
  persistent: true,
  vcpus: 2,
  memoryBytes: 2147483648,
  hugepages: false,
  disks: [],
  hostdevs: [],
  interfaces: [],
  pid: state === 'shutoff' ? null : 4242,
  ...extra,
});
const SNAPSHOT = {
  schemaVersion: 1,
  hostname: 'hv-test-1',
  takenAt: TAKEN_AT,
  collectors: {
    libvirt: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: TAKEN_AT, stale: false },
  },
  libvirt: {
    uri: 'qemu:///system',
    local: true,
    files: [],
    problems: [],
    domains: [
      domain('web-1', '11111111-1111-4111-8111-111111111111', 'crashed', 'panicked'),
      domain('db-1', '22222222-2222-4222-8222-222222222222', 'shutoff', 'destroyed'),
      domain('app-1', '33333333-3333-4333-8333-333333333333', 'running', 'booted', { autostart: true }),
      domain('batch-1', '44444444-4444-4444-8444-444444444444', 'paused', 'user'),
    ],
  },
};

beforeAll(async () => {
  await assertBuilt();
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-cli-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('--help exits 0 and lists the commands and every flag', async () => {
  const r = await cli('--help');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^vmzombie-exporter \S+: finds virtualization resources/);
  for (const cmd of ['serve', 'snapshot', 'scan'])
    assert.match(r.stdout, new RegExp(`vmzombie-exporter ${cmd === 'serve' ? '\\[serve\\]' : cmd} \\[flags\\]`));
  for (const name of Object.keys(ALL_FLAGS)) assert.ok(r.stdout.includes(`  --${name}`), name);
  assert.equal(r.stderr, '');
});

test('--help says what an unredacted snapshot holds and what --redact and the snapshot endpoint flags do', async () => {
  const r = await cli('snapshot', '--help');
  assert.equal(r.exitCode, 0, r.stderr);
  const text = r.stdout.replace(/\s+/g, ' ');
  assert.match(text, /snapshot prints everything the detectors read, unredacted: every process's full command line/);
  assert.match(text, /--redact cuts command lines to what detection reads \(secrets masked\)/);
  assert.match(text, /--web\.enable-snapshot .*Off: it answers 404/);
  assert.match(text, /--web\.snapshot-unredacted .*With --web\.enable-snapshot: serve the raw snapshot/);
});

test('an unknown flag exits 2 with the message on stderr (3 for scan, whose 2 means critical)', async () => {
  const serve = await cli('serve', '--no-such-flag=1');
  assert.equal(serve.exitCode, 2);
  assert.equal(serve.stderr, 'error: unknown flag --no-such-flag (see --help)\n');
  const r = await cli('scan', '--no-such-flag=1');
  assert.equal(r.exitCode, 3);
  assert.equal(r.stderr, 'error: unknown flag --no-such-flag (see --help)\n');
  assert.equal(r.stdout, '');
  const bad = await cli('scan', '--collector.timeout=soon');
  assert.equal(bad.exitCode, 3);
  const output = await cli('scan', '--output=yaml', '--from=/nonexistent');
  assert.equal(output.exitCode, 3);
  assert.equal(output.stderr, 'error: --output: expected text or json, got "yaml"\n');
  assert.equal(bad.stderr, 'error: --collector.timeout: invalid duration "soon" (use e.g. 30s, 5m, 1h30m, 72h)\n');
});

test('an unknown command exits 2', async () => {
  const r = await cli('frobnicate');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /^error: unknown command "frobnicate"\n/);
});

test('scan --from prints the findings of a saved snapshot as text; warnings only exit 1', async () => {
  const file = path.join(work, 'host.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  const r = await cli('scan', `--from=${file}`, '--detect.grace=0s');
  assert.equal(r.exitCode, 1, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(
    r.stdout.startsWith(`vmzombie scan of hv-test-1 at 2025-11-23 08:00 UTC
  collector libvirt: ok
  detector qemu_without_domain could not run: needs procfs
`),
    r.stdout,
  );
  assert.match(r.stdout, /^ {2}detector tap_without_domain could not run: needs sysfs, procfs$/m);
  assert.ok(
    r.stdout.includes(`
2 finding(s):

WARNING  domain crashed or failed  (domain_crashed)
  web-1 (11111111-1111-4111-8111-111111111111)
  first seen now, 2025-11-23 08:00 UTC; holds 2 vCPUs, 2 GiB
    state: crashed
    reason: panicked
    vCPUs: 2
    memory: 2 GiB (2147483648 bytes)
    PID: 4242
  first, run: tail -n 50 /var/log/libvirt/qemu/web-1.log
  runbook: /runbooks/VMZombieDomainCrashed

WARNING  domain paused, memory still held  (domain_paused)
  batch-1 (44444444-4444-4444-8444-444444444444)
  first seen now, 2025-11-23 08:00 UTC; holds 2 vCPUs, 2 GiB  [within grace]
`),
    r.stdout,
  );
  // Piped: no colour, no progress line.
  assert.ok(!r.stdout.includes('\u001b'));
});

test('scan exit codes: 0 with findings only within grace, 3 when no collector succeeded', async () => {
  const file = path.join(work, 'graced.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  const graced = await cli('scan', `--from=${file}`);
  assert.equal(graced.exitCode, 0, graced.stderr);
  assert.match(graced.stdout, /2 finding\(s\):/);
  const down = path.join(work, 'down.json');
  await writeFile(
    down,
    JSON.stringify({
      schemaVersion: 1,
      hostname: 'hv-test-1',
      takenAt: TAKEN_AT,
      collectors: {
        libvirt: {
          state: 'timeout',
          reason: 'timed out after 10s',
          durationSeconds: 10,
          lastSuccessSeconds: null,
          stale: false,
        },
        procfs: { state: 'error', reason: 'EACCES', durationSeconds: 0, lastSuccessSeconds: null, stale: false },
        virthandler: {
          state: 'absent',
          reason: 'no virt-handler process on this host',
          durationSeconds: 0,
          lastSuccessSeconds: null,
          stale: false,
        },
      },
    }),
  );
  const r = await cli('scan', `--from=${down}`, '--output=json');
  assert.equal(r.exitCode, 3, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { findings: unknown[] }).findings, []);
});

test('on a terminal: colour unless NO_COLOR is set, and a progress line while collecting', async () => {
  const file = path.join(work, 'tty.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  // script(1) gives the CLI a pseudo-terminal for stdout and stderr.
  const run = (command: string, env: Record<string, string> = {}) =>
    execa('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      reject: false,
      timeout: 60_000,
      env: { LC_ALL: 'C', TERM: 'xterm', ...env },
      extendEnv: false,
    });
  const coloured = await run(`node ${CLI} scan --from=${file} --detect.grace=0s`);
  assert.equal(coloured.exitCode, 1, coloured.stdout);
  assert.ok(coloured.stdout.includes('\u001b[33;1mWARNING\u001b[0m'), coloured.stdout);
  const noColour = await run(`node ${CLI} scan --from=${file} --detect.grace=0s`, { NO_COLOR: '1' });
  assert.equal(noColour.exitCode, 1);
  assert.match(noColour.stdout, /WARNING {2}domain crashed/);
  assert.ok(!noColour.stdout.includes('\u001b['), noColour.stdout);
  const live = await run(`node ${CLI} scan --no-collector.libvirt --log.level=error`, { NO_COLOR: '1' });
  assert.match(live.stdout, /\r\u001b\[2Kcollecting procfs, sysfs, .* … \d+\.\d s/);
  assert.match(live.stdout, /\r\u001b\[2Kvmzombie scan of /, 'the progress line is cleared before the report');
});

test('scan --from --output=json', async () => {
  const file = path.join(work, 'host-json.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  const r = await cli('scan', '--from', file, '--output=json');
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    hostname: string;
    takenAt: string;
    skippedDetectors: Record<string, string>;
    detectorErrors: object;
    findings: Array<{
      kind: string;
      alert: string;
      subject: string;
      pending: boolean;
      stale: boolean;
      since: string;
      ageSeconds: number;
      labels: object;
      reclaimable: object;
      severity: string;
      title: string;
      age: string;
      holds: string;
      command: string;
      runbook: string;
    }>;
  };
  assert.equal(out.hostname, 'hv-test-1');
  assert.equal(out.takenAt, '2025-11-23T08:00:00.000Z');
  // The snapshot has libvirt's domains only (a local host), taken before storage pools, shut-off
  // records, networks and filter bindings were read: every detector that needs more says so.
  const needsMore = DETECTORS.filter(
    (d) => d.needs.includes('libvirt') && d.needs.some((n) => n !== 'libvirt' && n !== 'libvirt.local'),
  );
  assert.deepEqual(Object.keys(out.skippedDetectors).sort(), needsMore.map((d) => d.kind).sort());
  assert.ok(needsMore.length >= 12);
  assert.deepEqual(out.detectorErrors, {});
  assert.deepEqual(
    out.findings.map((f) => [f.kind, f.alert, f.subject, f.pending, f.stale, f.since, f.ageSeconds]),
    [
      // Default grace: a snapshot read once has nothing seen for long yet.
      [
        'domain_paused',
        'VMZombieDomainPaused',
        'batch-1 (44444444-4444-4444-8444-444444444444)',
        true,
        false,
        '2025-11-23T08:00:00.000Z',
        0,
      ],
      [
        'domain_crashed',
        'VMZombieDomainCrashed',
        'web-1 (11111111-1111-4111-8111-111111111111)',
        true,
        false,
        '2025-11-23T08:00:00.000Z',
        0,
      ],
    ],
  );
  assert.deepEqual(out.findings[1]?.labels, {
    domain: 'web-1',
    uuid: '11111111-1111-4111-8111-111111111111',
    reason: 'panicked',
  });
  assert.deepEqual(out.findings[1]?.reclaimable, { vcpus: 2, memoryBytes: 2147483648 });
  const f = out.findings[1];
  assert.deepEqual(
    [f?.severity, f?.title, f?.age, f?.holds, f?.command, f?.runbook],
    [
      'warning',
      'domain crashed or failed',
      'first seen now, 2025-11-23 08:00 UTC',
      '2 vCPUs, 2 GiB',
      'tail -n 50 /var/log/libvirt/qemu/web-1.log',
      '/runbooks/VMZombieDomainCrashed',
    ],
  );
});

test('a corrupt, foreign or missing snapshot file exits 3 (could not judge) with a readable error', async () => {
  const truncated = path.join(work, 'truncated.json');
  await writeFile(truncated, JSON.stringify(SNAPSHOT).slice(0, 120));
  let r = await cli('scan', `--from=${truncated}`);
  assert.equal(r.exitCode, 3);
  assert.match(r.stderr, new RegExp(`^error: ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*JSON`));
  assert.equal(r.stdout, '');

  const foreign = path.join(work, 'foreign.json');
  await writeFile(
    foreign,
    JSON.stringify({ ...SNAPSHOT, schemaVersion: 2, libvirt: { ...SNAPSHOT.libvirt, domains: [{ name: 'x' }] } }),
  );
  r = await cli('scan', `--from=${foreign}`);
  assert.equal(r.exitCode, 3);
  assert.match(
    r.stderr,
    new RegExp(
      '^error: .*foreign\\.json: not a vmzombie snapshot \\(schema v1\\): ' +
        'schemaVersion: the file has 2, this build reads 1\\n$',
    ),
  );
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');

  const badField = path.join(work, 'bad-field.json');
  await writeFile(
    badField,
    JSON.stringify({ ...SNAPSHOT, libvirt: { ...SNAPSHOT.libvirt, domains: [{ name: 'x' }] } }),
  );
  r = await cli('scan', `--from=${badField}`);
  assert.equal(r.exitCode, 3);
  assert.match(
    r.stderr,
    /^error: .*bad-field\.json: not a vmzombie snapshot \(schema v1\): libvirt\.domains\.0\.uuid: /,
  );
  assert.match(r.stderr, / \(and \d+ more\)\n$/);

  r = await cli('scan', `--from=${path.join(work, 'nope.json')}`);
  assert.equal(r.exitCode, 3);
  assert.match(r.stderr, /^error: .*nope\.json: ENOENT: no such file or directory/);
});

test('snapshot --no-collector.libvirt prints JSON that scan --from accepts', async () => {
  const running = cli('snapshot', '--no-collector.libvirt', '--log.level=error');
  const pid = running.pid;
  const snap = await running;
  assert.equal(snap.exitCode, 0, snap.stderr);
  const parsed = parseSnapshot(JSON.parse(snap.stdout));
  assert.deepEqual(Object.keys(parsed.collectors).sort(), ['pools', 'procfs', 'sysfs', 'virthandler']);
  assert.equal(parsed.collectors.procfs?.state, 'ok');
  assert.equal(parsed.libvirt, undefined);
  assert.ok(parsed.procfs && parsed.procfs.processes.length > 1);
  assert.ok(
    parsed.procfs.processes.some((p) => p.pid === pid),
    'the snapshot process saw itself',
  );

  const file = path.join(work, 'round-trip.json');
  await writeFile(file, snap.stdout);
  const scan = await cli('scan', `--from=${file}`);
  assert.equal(scan.exitCode, 0, scan.stderr);
  assert.match(
    scan.stdout,
    new RegExp(`^vmzombie scan of ${os.hostname()} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\n`),
  );
  assert.match(scan.stdout, /^ {2}collector procfs: ok$/m);
  // libvirt was not collected: detectors that also need procfs say what they lack; those that need
  // libvirt alone are simply not this snapshot's business; none reported anything.
  assert.match(scan.stdout, /^ {2}detector qemu_without_domain could not run: needs libvirt$/m);
  assert.doesNotMatch(scan.stdout, /detector domain_crashed/);
  assert.match(scan.stdout, /\nNo findings\.\n$/);
  // Piped: nothing on stderr, no progress line.
  assert.equal(snap.stderr, '');
});

test('serve: a malformed listen address is a usage error (2); a taken port a clear error (1)', async () => {
  let r = await cli('serve', '--web.listen-address=nonsense', '--no-collector.libvirt', '--no-collector.procfs');
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr, 'error: --web.listen-address: expected host:port, got "nonsense"\n');
  const blocker = net.createServer();
  // Port 0: the kernel picks a free port, so parallel test files (and other checkouts) never collide.
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(0, '127.0.0.1', resolve);
  });
  const taken = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
  try {
    r = await cli(
      'serve',
      `--web.listen-address=${taken}`,
      '--no-collector.libvirt',
      '--no-collector.procfs',
      '--log.level=error',
    );
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, `error: cannot listen on ${taken}: listen EADDRINUSE: address already in use ${taken}\n`);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test('serve answers /metrics and /-/ready, and stops cleanly on SIGTERM', async () => {
  // Port 0, read back from the `listening` line: a port probed free and bound later by the CLI could be
  // taken meanwhile by a parallel file, and the line marks the moment the server answers.
  const proc = cli('serve', '--web.listen-address=127.0.0.1:0', '--no-collector.libvirt', '--log.json');
  const logged: Array<{ level: string; msg: string; address?: string }> = [];
  const listening = new Promise<string>((resolve, reject) => {
    let rest = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        let entry: (typeof logged)[number];
        try {
          entry = JSON.parse(line) as (typeof logged)[number];
        } catch {
          entry = { level: 'not a log line', msg: line };
        }
        logged.push(entry);
        if (entry.msg === 'listening' && entry.address) resolve(`http://${entry.address}`);
      }
    });
    void proc.then((r) => reject(new Error(`serve exited (${r.exitCode}) before listening: ${r.stderr}`)));
  });
  try {
    const base = await listening;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^vmzombie_collector_up\{collector="procfs"\} 1$/m);
    assert.ok(!metrics.includes('collector="libvirt"'));
    assert.equal((await fetch(`${base}/-/ready`)).status, 200);
    assert.equal((await fetch(`${base}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    proc.kill('SIGTERM');
  }
  const r = await proc;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(
    logged.filter((e) => e.level === 'error' || e.level === 'not a log line'),
    [],
  );
});

test("the bin's shebang, npm start and the image give node the same flags and malloc environment", async () => {
  const shebang = (await readFile(CLI, 'utf8')).split('\n')[0] as string;
  const { env, nodeFlags } = parseShebang(shebang);
  assert.ok(nodeFlags.length > 0 && nodeFlags.every((f) => f.startsWith('--')), `dist/cli.js starts with ${shebang}`);
  assert.deepEqual(env, { MALLOC_MMAP_THRESHOLD_: '131072' });
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  assert.equal(pkg.scripts.start, [...assignments, 'node', ...nodeFlags, 'dist/cli.js serve'].join(' '));
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  const argv = JSON.parse(entrypoint ?? '[]') as string[];
  assert.deepEqual(argv.slice(argv.indexOf('node') + 1, -1), nodeFlags);
  assert.equal(argv.at(-1), '/app/dist/cli.js');
  for (const a of assignments) assert.match(dockerfile, new RegExp(`^ENV ${a}$`, 'm'));
  // The shebang line, run as a program's, hands node the variable and the flags (env -S with assignments).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-shebang-'));
  try {
    const probe = path.join(dir, 'probe.js');
    await writeFile(
      probe,
      `${shebang}\nconsole.log(JSON.stringify([process.env.MALLOC_MMAP_THRESHOLD_, process.execArgv]));\n`,
      { mode: 0o755 },
    );
    const { stdout } = await execa(probe, [], { env: { MALLOC_MMAP_THRESHOLD_: undefined } });
    assert.deepEqual(JSON.parse(stdout), ['131072', nodeFlags]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
