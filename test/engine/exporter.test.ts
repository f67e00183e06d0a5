// Exporter wiring: which sources run, one evaluation per snapshot, and the HTTP endpoints on top
// of it (real procfs source on this machine's /proc, libvirt disabled).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Exporter } from '../../src/exporter.js';
import { enabledSources } from '../../src/engine/engine.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { createServer, parseListenAddress } from '../../src/server.js';
import { parseSnapshot } from '../../src/families/index.js';
import { silentLogger } from '../../src/util/log.js';
import { parsePromText, value } from '../support/prom-text.js';

const configOf = (...args: string[]) =>
  parseArgs(
    args,
    SOURCES.map((s) => s.name),
  ).config;
const names = (...args: string[]) =>
  enabledSources(configOf(...args))
    .map((s) => s.name)
    .sort();

test('enabledSources: node mode runs libvirt, procfs, sysfs, pools and virthandler; flags switch each one', () => {
  assert.deepEqual(names(), ['libvirt', 'pools', 'procfs', 'sysfs', 'virthandler']);
  assert.deepEqual(names('--no-collector.libvirt'), ['pools', 'procfs', 'sysfs', 'virthandler']);
  assert.deepEqual(
    names(
      '--no-collector.libvirt',
      '--no-collector.procfs',
      '--no-collector.virthandler',
      '--no-collector.sysfs',
      '--no-collector.pools',
    ),
    [],
  );
  assert.deepEqual(names('--mode=cluster'), ['kubevirt']);
  assert.deepEqual(names('--mode=cluster', '--collector.procfs', '--no-collector.kubevirt'), ['procfs']);
});

test('parseListenAddress', () => {
  assert.deepEqual(parseListenAddress('0.0.0.0:9955'), { host: '0.0.0.0', port: 9955 });
  assert.deepEqual(parseListenAddress(':9955'), { host: '0.0.0.0', port: 9955 });
  assert.deepEqual(parseListenAddress('[::1]:9955'), { host: '::1', port: 9955 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  for (const bad of ['9955', 'host', 'host:port', '[::1]', ''])
    assert.throws(() => parseListenAddress(bad), /expected host:port/, bad);
});

let exporter: Exporter;
let server: http.Server;
let base = '';
let poolDir = '';

beforeAll(async () => {
  // An empty pool directory of its own, no libvirt configuration: the pools source is up whether or not
  // this host has /var/lib/libvirt/images (a fresh machine has none until libvirtd first runs).
  poolDir = mkdtempSync(path.join(os.tmpdir(), 'vmz-exporter-pools-'));
  const config = configOf(
    '--no-collector.libvirt',
    '--collector.min-interval=1h',
    `--pool.dir=${poolDir}`,
    '--pool.libvirt-config-dir=',
    '--pool.libvirt-snapshot-dir=',
    '--web.enable-snapshot',
  );
  exporter = new Exporter(config, silentLogger, { processMetrics: false });
  server = createServer(exporter, silentLogger);
  // Port 0: parallel test files and other checkouts never collide.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await exporter.close();
  rmSync(poolDir, { recursive: true, force: true });
});

test('before the first collection /-/ready is 503 and /-/healthy 200', async () => {
  assert.equal(exporter.last(), null);
  assert.equal((await fetch(`${base}/-/ready`)).status, 503);
  assert.equal((await fetch(`${base}/-/healthy`)).status, 200);
});

test('concurrent scrapes share one evaluated snapshot; endpoints serve it', async () => {
  const bodies = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/metrics`).then((r) => r.text())));
  const first = exporter.last();
  assert.ok(first);
  assert.equal(await exporter.refresh(), first, 'a snapshot younger than min-interval is not re-evaluated');
  const lastSuccess = bodies.map((b) =>
    value(parsePromText(b), 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'procfs' }),
  );
  assert.deepEqual(new Set(lastSuccess), new Set([first.snapshot.takenAt]));
  assert.equal(value(parsePromText(bodies[0]!), 'vmzombie_collector_up', { collector: 'procfs' }), 1);

  assert.equal((await fetch(`${base}/-/ready`)).status, 200);
  const snap = parseSnapshot(await (await fetch(`${base}/snapshot.json`)).json());
  assert.equal(snap.takenAt, first.snapshot.takenAt);
  assert.ok(snap.procfs?.processes.some((p) => p.pid === process.pid));
  const findings = (await (await fetch(`${base}/findings.json`)).json()) as {
    skippedDetectors: Record<string, string>;
    findings: unknown[];
  };
  // Every detector needs libvirt, which is off: all skipped, none reporting.
  assert.deepEqual(findings.findings, []);
  const reasons = new Set(Object.values(findings.skippedDetectors));
  assert.deepEqual(reasons, new Set(['needs libvirt']));
  const landing = await fetch(`${base}/`);
  assert.equal(landing.status, 200);
  const landingText = await landing.text();
  assert.match(landingText, /<td>procfs<\/td><td class="ok">ok<\/td>/);
  // A node agent has the CPU budget by default; with min-interval 1h its result is served as it is anyway.
  assert.match(landingText, /Collections are paced to 0\.5 % of one core/);
  assert.equal((await fetch(`${base}/findings`)).status, 200);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
});

test('a cluster agent warms up between its first and second scrape; a node agent does not', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmz-warm-'));
  try {
    const modes = [
      ['cluster', `--kube.config=${path.join(dir, 'absent-kubeconfig')}`],
      ['node', '--no-collector.libvirt', '--no-collector.procfs', '--no-collector.sysfs', '--no-collector.pools'],
    ] as const;
    const collections: Record<string, number> = {};
    for (const [mode, ...flags] of modes) {
      const exporter = new Exporter(
        configOf('serve', `--mode=${mode}`, '--collector.min-interval=1s', '--cluster=test', ...flags),
        silentLogger,
        { processMetrics: false },
      );
      try {
        let results = 0;
        exporter.engine.onResult(() => results++);
        exporter.scraped();
        await exporter.refresh();
        const first = results;
        await new Promise((r) => setTimeout(r, 3000));
        collections[mode] = results - first;
      } finally {
        await exporter.close();
      }
    }
    // min-interval 1 s less a lead of 0.25–0.5 s: a refresh every 0.5–0.75 s, so three or more in 3 s; two leave
    // room for a loaded machine, and without the warm-up there are none.
    assert.ok((collections.cluster ?? 0) >= 2, `cluster: ${collections.cluster} collections in 3 s`);
    assert.equal(collections.node, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
