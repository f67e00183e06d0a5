// /snapshot.json over HTTP: 404 by default (like a path this server does not have, with the reason),
// the redacted snapshot with --web.enable-snapshot, the raw one only with --web.snapshot-unredacted too;
// the landing page says which. A real process with a token in its arguments is the canary.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import os from 'node:os';
import { execa, type ResultPromise } from 'execa';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { Exporter } from '../../src/exporter.js';
import { createApp } from '../../src/server.js';
import { parseSnapshot } from '../../src/families/index.js';
import { silentLogger } from '../../src/util/log.js';
import { snapshotMode } from '../../src/web/snapshot-endpoint.js';

const TOKEN = `canary-${process.pid}-tok`;
const SLEEP = 'import time; time.sleep(300)';
const ONLY_PROCFS = [
  '--no-collector.libvirt',
  '--no-collector.pools',
  '--no-collector.sysfs',
  '--collector.min-interval=0s',
];

describe('/snapshot.json and its flags', { timeout: 60_000 }, () => {
  let canary: ResultPromise;
  const running: RunningExporter[] = [];
  const start = async (...flags: string[]) => {
    const e = await startExporter([...ONLY_PROCFS, ...flags]);
    running.push(e);
    return e;
  };

  beforeAll(async () => {
    // A process whose argv carries a token, as a backup script started with one would.
    canary = execa('python3', ['-c', SLEEP, `--api-token=${TOKEN}`], { stdio: 'ignore' });
  });

  afterAll(async () => {
    for (const e of running) await e.stop();
    canary.kill('SIGKILL');
    await canary.catch(() => undefined);
  });

  it('off by default: 404 with the reason, no link on the landing page', async () => {
    const e = await start();
    const r = await fetch(`${e.url}/snapshot.json`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const body = await r.text();
    assert.match(body, /--web\.enable-snapshot/);
    assert.ok(!body.includes(TOKEN));
    assert.equal((await fetch(`${e.url}/snapshot.json`, { method: 'HEAD' })).status, 404);
    const landing = (await e.get('/')).body;
    assert.ok(!landing.includes('href="/snapshot.json"'));
    assert.match(landing, /snapshot is not served/);
  });

  it('--web.enable-snapshot: the redacted snapshot, and the landing page says so', async () => {
    const e = await start('--web.enable-snapshot');
    const r = await e.get('/snapshot.json');
    assert.equal(r.status, 200);
    assert.ok(!r.body.includes(TOKEN), 'the token in a process argument is gone');
    const snap = parseSnapshot(JSON.parse(r.body));
    assert.equal(snap.hostname, 'host-1');
    const py = snap.procfs?.processes.find((p) => p.pid === canary.pid);
    assert.deepEqual(py?.cmdline, ['python3'], 'cut to the program');
    const landing = (await e.get('/')).body;
    assert.match(landing, /href="\/snapshot.json">Snapshot \(JSON, redacted\)/);
    assert.match(landing, /snapshot is served redacted/);
  });

  it('--web.enable-snapshot --web.snapshot-unredacted: the raw snapshot, and the landing page warns', async () => {
    const e = await start('--web.enable-snapshot', '--web.snapshot-unredacted');
    const r = await e.get('/snapshot.json');
    assert.equal(r.status, 200);
    const snap = parseSnapshot(JSON.parse(r.body));
    assert.equal(snap.hostname, os.hostname());
    const py = snap.procfs?.processes.find((p) => p.pid === canary.pid);
    assert.deepEqual(py?.cmdline.slice(1), ['-c', SLEEP, `--api-token=${TOKEN}`]);
    const landing = (await e.get('/')).body;
    assert.match(landing, /Snapshot \(JSON, unredacted\)/);
    assert.match(landing, /served unredacted/);
  });

  it('--web.snapshot-unredacted alone is refused, never a way to turn the endpoint on', () => {
    const { config } = parseArgs(
      ['serve', ...ONLY_PROCFS, '--web.snapshot-unredacted'],
      SOURCES.map((s) => s.name),
    );
    assert.throws(() => snapshotMode(config), /--web\.snapshot-unredacted needs --web\.enable-snapshot/);
    const exporter = new Exporter(config, silentLogger, { processMetrics: false });
    try {
      assert.throws(() => createApp(exporter, silentLogger), /needs --web\.enable-snapshot/);
    } finally {
      void exporter.close();
    }
  });
});
