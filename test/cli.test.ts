// The built CLI as a user runs it: `node dist/cli.js …`, on the dist/ that `npm run build` made.
import { DETECTORS } from '../src/catalog/catalog.js';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import net from 'node:net';
import { FLAGS } from '../src/config/flags.js';
import { parseSnapshot } from '../src/snapshot/snapshot.js';
import { assertBuilt, CLI, ROOT } from './support/built-cli.js';

let work: string;

/** A port the kernel just handed out on 127.0.0.1 (free now; the CLI binds it right after). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve); });
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function cli(...args: string[]) {
  return execa('node', [CLI, ...args], { cwd: ROOT, reject: false, timeout: 60_000, env: { LC_ALL: 'C' }, stripFinalNewline: false });
}

const TAKEN_AT = 1763884800; // 2025-11-23T08:00:00Z
const domain = (name: string, uuid: string, state: string, reason: string, extra: Record<string, unknown> = {}) => ({
  name, uuid, id: state === 'shutoff' ? null : 3, state, reason, autostart: false, persistent: true, vcpus: 2,
  memoryBytes: 2147483648, hugepages: false, disks: [], hostdevs: [], interfaces: [], pid: state === 'shutoff' ? null : 4242, ...extra,
});
const SNAPSHOT = {
  schemaVersion: 1, hostname: 'hv-test-1', takenAt: TAKEN_AT,
  collectors: { libvirt: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: TAKEN_AT, stale: false } },
  libvirt: {
    uri: 'qemu:///system', local: true, files: [], problems: [],
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
  for (const cmd of ['serve', 'snapshot', 'scan']) assert.match(r.stdout, new RegExp(`vmzombie-exporter ${cmd === 'serve' ? '\\[serve\\]' : cmd} \\[flags\\]`));
  for (const name of Object.keys(FLAGS)) assert.ok(r.stdout.includes(`  --${name}`), name);
  assert.equal(r.stderr, '');
});

test('an unknown flag exits 2 with the message on stderr', async () => {
  const r = await cli('scan', '--no-such-flag=1');
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr, 'error: unknown flag --no-such-flag (see --help)\n');
  assert.equal(r.stdout, '');
  const bad = await cli('scan', '--collector.timeout=soon');
  assert.equal(bad.exitCode, 2);
  assert.equal(bad.stderr, 'error: --collector.timeout: invalid duration "soon" (use e.g. 30s, 5m, 1h30m, 72h)\n');
});

test('an unknown command exits 2', async () => {
  const r = await cli('frobnicate');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /^error: unknown command "frobnicate"\n/);
});

test('scan --from prints the findings of a saved snapshot as text', async () => {
  const file = path.join(work, 'host.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  const r = await cli('scan', `--from=${file}`, '--detect.grace=0s');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, `vmzombie scan of hv-test-1 at 2025-11-23T08:00:00.000Z
  collector libvirt: ok
  detector qemu_without_domain not run: needs procfs
  detector domain_without_process not run: needs procfs
  detector image_locked_by_foreign_process not run: needs procfs
  detector image_locked_while_domain_inactive not run: needs procfs
  detector orphan_image not run: needs pools, procfs
  detector backing_chain_missing_link not run: needs pools
  detector snapshot_chain_deep not run: needs pools
  detector vfio_device_without_domain not run: needs sysfs, procfs
  detector vfio_group_held_by_foreign_process not run: needs sysfs, procfs
  detector mdev_without_domain not run: needs sysfs, procfs
  detector hugepages_reserved_without_domain not run: needs sysfs, procfs
  detector tap_without_domain not run: needs sysfs, procfs

2 finding(s):

domain_crashed — domain crashed or failed (alert VMZombieDomainCrashed)
  web-1 (11111111-1111-4111-8111-111111111111)  age unknown (first seen now)
    reclaimable: vcpus=2 memoryBytes=2147483648
    state: crashed
    reason: panicked
    vcpus: 2
    memoryBytes: 2147483648
    pid: 4242

domain_paused — domain paused, memory still held (alert VMZombieDomainPaused)
  batch-1 (44444444-4444-4444-8444-444444444444)  age unknown (first seen now), within grace
    reclaimable: vcpus=2 memoryBytes=2147483648
    state: paused
    reason: user
    vcpus: 2
    memoryBytes: 2147483648
    pid: 4242
`);
});

test('scan --from --output=json', async () => {
  const file = path.join(work, 'host-json.json');
  await writeFile(file, JSON.stringify(SNAPSHOT));
  const r = await cli('scan', '--from', file, '--output=json');
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    hostname: string; takenAt: string; skippedDetectors: Record<string, string>; detectorErrors: object;
    findings: Array<{ kind: string; alert: string; subject: string; pending: boolean; stale: boolean; since: string; ageSeconds: number; labels: object; reclaimable: object }>;
  };
  assert.equal(out.hostname, 'hv-test-1');
  assert.equal(out.takenAt, '2025-11-23T08:00:00.000Z');
  // The snapshot has libvirt only: every detector that also needs /proc, pools or sysfs says so.
  const needsMore = DETECTORS.filter((d) => d.needs.includes('libvirt') && d.needs.some((n) => ['procfs', 'pools', 'sysfs'].includes(n)));
  assert.deepEqual(Object.keys(out.skippedDetectors).sort(), needsMore.map((d) => d.kind).sort());
  assert.ok(needsMore.length >= 12);
  assert.deepEqual(out.detectorErrors, {});
  assert.deepEqual(out.findings.map((f) => [f.kind, f.alert, f.subject, f.pending, f.stale, f.since, f.ageSeconds]), [
    // Default grace: a snapshot read once has nothing seen for long yet.
    ['domain_paused', 'VMZombieDomainPaused', 'batch-1 (44444444-4444-4444-8444-444444444444)', true, false, '2025-11-23T08:00:00.000Z', 0],
    ['domain_crashed', 'VMZombieDomainCrashed', 'web-1 (11111111-1111-4111-8111-111111111111)', true, false, '2025-11-23T08:00:00.000Z', 0],
  ]);
  assert.deepEqual(out.findings[1]?.labels, { domain: 'web-1', uuid: '11111111-1111-4111-8111-111111111111', reason: 'panicked' });
  assert.deepEqual(out.findings[1]?.reclaimable, { vcpus: 2, memoryBytes: 2147483648 });
});

test('a corrupt, foreign or missing snapshot file exits 2 with a readable error', async () => {
  const truncated = path.join(work, 'truncated.json');
  await writeFile(truncated, JSON.stringify(SNAPSHOT).slice(0, 120));
  let r = await cli('scan', `--from=${truncated}`);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, new RegExp(`^error: ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*JSON`));
  assert.equal(r.stdout, '');

  const foreign = path.join(work, 'foreign.json');
  await writeFile(foreign, JSON.stringify({ ...SNAPSHOT, schemaVersion: 2, libvirt: { ...SNAPSHOT.libvirt, domains: [{ name: 'x' }] } }));
  r = await cli('scan', `--from=${foreign}`);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /^error: .*foreign\.json: not a vmzombie snapshot \(schema v1\): schemaVersion: the file has 2, this build reads 1\n$/);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');

  const badField = path.join(work, 'bad-field.json');
  await writeFile(badField, JSON.stringify({ ...SNAPSHOT, libvirt: { ...SNAPSHOT.libvirt, domains: [{ name: 'x' }] } }));
  r = await cli('scan', `--from=${badField}`);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /^error: .*bad-field\.json: not a vmzombie snapshot \(schema v1\): libvirt\.domains\.0\.uuid: /);
  assert.match(r.stderr, / \(and \d+ more\)\n$/);

  r = await cli('scan', `--from=${path.join(work, 'nope.json')}`);
  assert.equal(r.exitCode, 2);
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
  assert.ok(parsed.procfs.processes.some((p) => p.pid === pid), 'the snapshot process saw itself');

  const file = path.join(work, 'round-trip.json');
  await writeFile(file, snap.stdout);
  const scan = await cli('scan', `--from=${file}`);
  assert.equal(scan.exitCode, 0, scan.stderr);
  assert.match(scan.stdout, new RegExp(`^vmzombie scan of ${os.hostname()} at \\d{4}-\\d\\d-\\d\\dT`));
  assert.match(scan.stdout, /^ {2}collector procfs: ok$/m);
  // libvirt was not collected: detectors that also need procfs say what they lack; those that need
  // libvirt alone are simply not this snapshot's business; none reported anything.
  assert.match(scan.stdout, /^ {2}detector qemu_without_domain not run: needs libvirt$/m);
  assert.doesNotMatch(scan.stdout, /detector domain_crashed/);
  assert.match(scan.stdout, /\nNo findings\.\n$/);
});

test('serve: a malformed listen address is a usage error (2); a taken port a clear error (1)', async () => {
  let r = await cli('serve', '--web.listen-address=nonsense', '--no-collector.libvirt', '--no-collector.procfs');
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr, 'error: --web.listen-address: expected host:port, got "nonsense"\n');
  const blocker = net.createServer();
  // Port 0: the kernel picks a free port, so parallel test files (and other checkouts) never collide.
  await new Promise<void>((resolve, reject) => { blocker.once('error', reject); blocker.listen(0, '127.0.0.1', resolve); });
  const taken = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
  try {
    r = await cli('serve', `--web.listen-address=${taken}`, '--no-collector.libvirt', '--no-collector.procfs', '--log.level=error');
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, `error: cannot listen on ${taken}: listen EADDRINUSE: address already in use ${taken}\n`);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test('serve answers /metrics and /-/ready, and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const proc = cli('serve', `--web.listen-address=127.0.0.1:${port}`, '--no-collector.libvirt', '--log.level=error');
  try {
    const base = `http://127.0.0.1:${port}`;
    let metrics = '';
    for (let i = 0; i < 100 && metrics === ''; i++) {
      metrics = await fetch(`${base}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '');
      if (metrics === '') await new Promise((r) => setTimeout(r, 100));
    }
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
  assert.equal(r.stderr, '');
});
