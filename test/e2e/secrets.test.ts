// Nothing secret leaves the host by default, on a real libvirtd + QEMU (TCG) with the built CLI.
// Planted: a process with secrets in its arguments in several shapes, a lock holder with a token and a
// URL password in its arguments on a shut-off domain's image, and a stray qemu with a secret object.
// Every HTTP endpoint, the log, `scan` text and JSON and `snapshot --redact` are searched for them (none
// found) while the findings still name the holder's pid and program; the raw `snapshot` does hold them
// (so the search can fail), and /snapshot.json serves them only with both opt-in flags.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type ExporterProcess } from '../vsphere/exporter-process.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { assertBuilt, CLI } from '../support/built-cli.js';

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'python3'),
);

/** Every path the server has (each runbook of a kind found here, filters of /findings) and one it has not. */
const ENDPOINTS = [
  '/',
  '/metrics',
  '/findings',
  '/findings?severity=warning&sort=age',
  '/findings?kind=image_locked_while_domain_inactive',
  '/findings.json',
  '/snapshot.json',
  '/runbooks',
  '/runbooks/VMZombieImageLockedWhileDomainInactive',
  '/runbooks/VMZombieQemuWithoutDomain',
  '/style.css',
  '/-/healthy',
  '/-/ready',
  '/nope',
];
const BASE = ['--no-collector.pools', '--no-collector.sysfs', '--detect.grace=0s', '--log.level=info'];
const HOLD = [
  'import fcntl, sys, time',
  'f = open(sys.argv[1], "rb")',
  'fcntl.flock(f, fcntl.LOCK_SH)',
  'print("locked", flush=True)',
  'time.sleep(600)',
].join('\n');
const SLEEP = 'import time; time.sleep(600)';

interface JsonFinding {
  kind: string;
  subject: string;
  evidence: {
    pid?: number;
    comm?: string;
    cmdline?: string;
    holders?: Array<{ pid: number; comm: string; cmdline: string }>;
  };
}

describe.skipIf(unavailable)('secrets on a real libvirt host', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  const tag = Math.random().toString(36).slice(2, 8);
  // Distinct per run, so none can be in the output by chance.
  const S = {
    dbPassword: `hunter2-${tag}`,
    apiToken: `apitok-${tag}`,
    envPassword: `envpw-${tag}`,
    pgPassword: `pgpw-${tag}`,
    bearer: `bearer-${tag}`,
    spacedSecret: `spaced-${tag}`,
    backupToken: `backuptok-${tag}`,
    urlPassword: `urlpw-${tag}`,
    qemuData: `qemudata-${tag}`,
  };
  const secrets = Object.values(S);
  let offImage = '';
  let strayImage = '';
  let holder: ResultPromise;
  let holderPid = 0;
  let strayPid = 0;
  let plantedPid = 0;
  const running: ExporterProcess[] = [];
  const serve = async (...flags: string[]) => {
    const e = await startExporter([...BASE, ...flags]);
    running.push(e);
    return e;
  };
  const leaked = (text: string) => secrets.filter((s) => text.includes(s));

  beforeAll(async () => {
    await assertBuilt();
    host = await LibvirtTestHost.acquire();
    offImage = await host.createImage('off.qcow2');
    strayImage = await host.createImage('stray.qcow2');
    await host.define({ name: `vmzt-${tag}-off`, disks: [{ path: offImage }] });
    // A stray qemu whose own arguments carry a secret object (qemu reads it; libvirt passes a file instead).
    const pidfile = path.join(host.workDir, 'stray.pid');
    await execa('qemu-system-x86_64', [
      '-name',
      `guest=vmzt-${tag}-ghost,debug-threads=on`,
      '-machine',
      'pc',
      '-m',
      '32',
      '-display',
      'none',
      '-daemonize',
      '-pidfile',
      pidfile,
      '-object',
      `secret,id=sec0,data=${S.qemuData},format=raw`,
      '-drive',
      `file=${strayImage},if=virtio,format=qcow2`,
    ]);
    strayPid = Number((await readFile(pidfile, 'utf8')).trim());
    host.track(strayPid);
    // A backup job holding the shut-off domain's image, started with a token and a URL password.
    holder = execa(
      'python3',
      ['-c', HOLD, offImage, `--backup-token=${S.backupToken}`, `https://backup:${S.urlPassword}@store.example/b`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    holderPid = holder.pid as number;
    host.track(holderPid);
    holder.catch(() => undefined);
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    // A process with secrets in its arguments in the other shapes.
    const planted = execa(
      'python3',
      [
        '-c',
        SLEEP,
        `--db-password=${S.dbPassword}`,
        '--api-token',
        S.apiToken,
        `DB_PASSWORD=${S.envPassword}`,
        `postgres://app:${S.pgPassword}@db.example/app`,
        `Authorization: Bearer ${S.bearer}`,
        `--client-secret=two words ${S.spacedSecret}`,
      ],
      { stdio: 'ignore' },
    );
    plantedPid = planted.pid as number;
    host.track(plantedPid);
    planted.catch(() => undefined);
  });

  afterAll(async () => {
    for (const e of running) await e.stop();
    await host?.release();
  });

  it('the raw snapshot on the host holds every planted secret (so the searches below can fail)', async () => {
    const raw = await execa('node', [CLI, 'snapshot', ...BASE]);
    assert.deepEqual(leaked(raw.stdout), secrets);
  });

  it('default serve: every endpoint and the log are free of secrets; the findings name pid and program', async () => {
    const e = await serve();
    const findings = (JSON.parse(await e.get('/findings.json')) as { findings: JsonFinding[] }).findings;
    const inactive = findings.find((f) => f.kind === 'image_locked_while_domain_inactive' && f.subject === offImage);
    const h = inactive?.evidence.holders?.find((x) => x.pid === holderPid);
    assert.ok(h, `holder ${holderPid} of ${offImage} in ${JSON.stringify(findings.map((f) => f.subject))}`);
    assert.equal(h.comm, 'python3');
    assert.match(h.cmdline, /python3 -c /);
    assert.ok(h.cmdline.includes(offImage), 'the file it holds is shown');
    assert.ok(h.cmdline.includes('--backup-token=*** https://***@store.example/b'), h.cmdline);
    const ghost = findings.find((f) => f.kind === 'qemu_without_domain' && f.evidence.pid === strayPid);
    assert.ok(ghost, 'the stray qemu is found');
    assert.match(ghost.evidence.cmdline ?? '', new RegExp(`guest=vmzt-${tag}-ghost.*-m 32 .*data=\\*\\*\\*`));
    assert.ok(ghost.evidence.cmdline?.includes(`file=${strayImage}`));

    const statuses: Record<string, number> = {};
    for (const p of ENDPOINTS) {
      for (const method of ['GET', 'HEAD']) {
        const r = await fetch(`http://127.0.0.1:${e.port}${p}`, { method });
        const body = await r.text();
        statuses[`${method} ${p}`] = r.status;
        assert.deepEqual(leaked(body), [], `${method} ${p}`);
        assert.deepEqual(leaked(JSON.stringify([...r.headers])), [], `${method} ${p} headers`);
      }
    }
    assert.equal(statuses['GET /snapshot.json'], 404);
    assert.equal(statuses['GET /nope'], 404);
    for (const p of ENDPOINTS.filter((x) => x !== '/snapshot.json' && x !== '/nope'))
      assert.equal(statuses[`GET ${p}`], 200, p);
    const off = await fetch(`http://127.0.0.1:${e.port}/snapshot.json`);
    assert.match(await off.text(), /--web\.enable-snapshot/);
    assert.match(await e.get('/'), /snapshot is not served/);
    assert.match(e.logs(), /\/snapshot\.json is not served/);
    assert.deepEqual(leaked(e.logs()), []);
  });

  it('scan text and JSON: no secret, the finding with its holder pid and program', async () => {
    const text = await execa('node', [CLI, 'scan', ...BASE], { reject: false });
    assert.ok([1, 2].includes(text.exitCode ?? -1), text.stderr);
    assert.deepEqual(leaked(text.stdout + text.stderr), []);
    assert.match(text.stdout, new RegExp(`${holderPid}`));
    assert.match(text.stdout, /python3/);
    const json = await execa('node', [CLI, 'scan', '--output=json', ...BASE], { reject: false });
    assert.deepEqual(leaked(json.stdout + json.stderr), []);
    const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
    const inactive = findings.find((f) => f.kind === 'image_locked_while_domain_inactive' && f.subject === offImage);
    assert.deepEqual(
      inactive?.evidence.holders?.map((x) => [x.pid, x.comm]),
      [[holderPid, 'python3']],
    );
  });

  it('snapshot --redact: no secret, and the processes are still there', async () => {
    const redacted = await execa('node', [CLI, 'snapshot', '--redact', ...BASE]);
    assert.deepEqual(leaked(redacted.stdout), []);
    const snap = JSON.parse(redacted.stdout) as { procfs: { processes: Array<{ pid: number; cmdline: string[] }> } };
    const pids = snap.procfs.processes.map((p) => p.pid);
    for (const pid of [holderPid, strayPid, plantedPid]) assert.ok(pids.includes(pid), `pid ${pid}`);
  });

  it('--web.enable-snapshot serves the redacted snapshot and says so', async () => {
    const e = await serve('--web.enable-snapshot');
    const body = await e.get('/snapshot.json');
    assert.deepEqual(leaked(body), []);
    assert.ok(JSON.parse(body).procfs.processes.some((p: { pid: number }) => p.pid === holderPid));
    assert.match(await e.get('/'), /snapshot is served redacted/);
    assert.match(e.logs(), /\/snapshot\.json is served redacted/);
  });

  it('both flags serve the raw snapshot, as documented, with a warning; the raw flag alone is refused', async () => {
    const e = await serve('--web.enable-snapshot', '--web.snapshot-unredacted');
    assert.deepEqual(leaked(await e.get('/snapshot.json')), secrets);
    assert.match(await e.get('/'), /served unredacted/);
    assert.match(e.logs(), /level=warn msg="\/snapshot\.json is served UNREDACTED/);
    // Findings stay masked even then.
    assert.deepEqual(leaked(await e.get('/findings.json')), []);
    const alone = await execa('node', [CLI, 'serve', '--web.snapshot-unredacted', '--web.listen-address=127.0.0.1:0'], {
      reject: false,
      timeout: 20_000,
    });
    assert.equal(alone.exitCode, 2);
    assert.match(alone.stderr, /--web\.snapshot-unredacted needs --web\.enable-snapshot/);
  });
});
