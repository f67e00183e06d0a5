// Judged across hosts, end to end: two hosts (each its own PID and mount namespace with its own libvirtd
// and TCG guests) sharing one image directory, the built exporter running inside each (so it sees only
// its own processes), and one real Prometheus scraping both under two jobs with the generated rules (the
// fleet alerts' `for` set short through the bundle config; kind alerts' `for` cut the same way).
//   - a migrated copy: running on B, defined and autostart on A -> no autostart alert on A (its finding is
//     there), one stale-definition alert; an autostart domain of A that runs nowhere still alerts;
//   - the same uuid running on both -> the critical alert, once per host, naming both;
//   - an image on the shared directory used by a domain of B only -> no orphan alert of any kind;
//   - an image used by no domain on either host -> exactly one VMZombieSharedImageOrphan, naming both.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { buildAlerts } from '../../src/bundle/alerts.js';
import { DEFAULT_CONFIG, type BundleConfig } from '../../src/bundle/config.js';
import { ruleGroups } from '../../src/bundle/rules.js';
import { FleetHost, IMAGES_IN_HOST, SHARED_IN_HOST } from '../support/fleet-host.js';
import { freePort, startPrometheus, type Prometheus } from '../support/prometheus.js';
import { assertBuilt, CLI, ROOT } from '../support/built-cli.js';
import { waitFor } from '../support/wait.js';
import { missingCommands, skipWithout } from '../support/components.js';

const unavailable =
  skipWithout(
    'two private libvirtd with QEMU, and Prometheus',
    missingCommands('libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'unshare', 'nsenter', 'prometheus'),
  ) || skipWithout('root (namespaces, bind mounts)', process.getuid?.() === 0 ? null : 'not root');

const SITE: BundleConfig = {
  ...DEFAULT_CONFIG,
  severalHostsFor: '5s',
  staleDefinitionFor: '5s',
  sharedImageOrphanFor: '5s',
};

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

describe.skipIf(unavailable)('fleet: two hosts, one shared directory, one Prometheus', { timeout: 240_000 }, () => {
  let shared = '';
  let a: FleetHost;
  let b: FleetHost;
  let prom: Prometheus | undefined;
  const instances: Record<'a' | 'b', string> = { a: '', b: '' };
  const uuid = { migrated: randomUUID(), twice: randomUUID(), lone: randomUUID(), used: randomUUID() };

  async function startExporter(host: FleetHost): Promise<string> {
    const port = await freePort();
    const args = [
      CLI,
      'serve',
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.min-interval=0s',
      '--detect.grace=0s',
      '--detect.autostart-grace=0s',
      '--detect.orphan-min-age=0s',
      `--pool.shared-dir=${SHARED_IN_HOST}`,
      '--log.level=warn',
    ];
    void host.run('node', args, ROOT);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      `${host.name}: exporter ready`,
      async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok,
      60_000,
      200,
    );
    return `127.0.0.1:${port}`;
  }

  beforeAll(async () => {
    await assertBuilt();
    shared = await mkdtemp(path.join(os.tmpdir(), 'vmz-fleet-shared-'));
    // Both at once: a fresh libvirtd takes most of this test's time before it answers.
    const started = await Promise.allSettled([FleetHost.start('a', shared), FleetHost.start('b', shared)]);
    for (const r of started) {
      if (r.status !== 'fulfilled') continue;
      if (r.value.name === 'a') a = r.value;
      else b = r.value;
    }
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const img = (file: string) => execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, '16M']);
    for (const f of ['migrated.qcow2', 'b-live.qcow2', 'nobody.qcow2']) await img(path.join(shared, f));
    for (const h of [a, b]) await img(h.outside(`${IMAGES_IN_HOST}/twice.qcow2`));
    await img(a.outside(`${IMAGES_IN_HOST}/lone.qcow2`));

    // The migrated guest: its definition stays on A (autostart, shut off), it runs on B.
    await a.define({ name: 'fleet-migrated', uuid: uuid.migrated, disk: `${SHARED_IN_HOST}/migrated.qcow2` });
    await a.virsh('autostart', uuid.migrated);
    await b.define({ name: 'fleet-migrated', uuid: uuid.migrated, disk: `${SHARED_IN_HOST}/migrated.qcow2` });
    await b.virsh('start', uuid.migrated);
    // One uuid running on both hosts, each on its own disk.
    for (const h of [a, b]) {
      await h.define({ name: 'fleet-twice', uuid: uuid.twice, disk: `${IMAGES_IN_HOST}/twice.qcow2` });
      await h.virsh('start', uuid.twice);
    }
    // An autostart domain of A that runs nowhere: its alert must still fire.
    await a.define({ name: 'fleet-lone', uuid: uuid.lone, disk: `${IMAGES_IN_HOST}/lone.qcow2` });
    await a.virsh('autostart', uuid.lone);
    // A domain of B only, on the shared directory.
    await b.define({ name: 'fleet-used', uuid: uuid.used, disk: `${SHARED_IN_HOST}/b-live.qcow2` });
    await b.virsh('start', uuid.used);

    instances.a = await startExporter(a);
    instances.b = await startExporter(b);
    const alerts = buildAlerts(SITE).map((x) => (x.kind ? { ...x, for: '5s' } : x));
    const targets = [instances.a, instances.b];
    prom = await startPrometheus(
      { vmzombie: targets, 'vmzombie-node': targets },
      stringify({ groups: ruleGroups(SITE, alerts) }),
      'http://127.0.0.1:9',
    );
  });

  afterAll(async () => {
    await prom?.stop();
    await a?.stop();
    await b?.stop();
    if (shared) await rm(shared, { recursive: true, force: true });
  });

  async function firing(): Promise<Alert[]> {
    const res = (await (await fetch(`${prom!.url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
    return res.data.alerts.filter((x) => x.state === 'firing');
  }

  const named = (all: Alert[], name: string) => all.filter((x) => x.labels.alertname === name);

  it('every rule evaluates with health ok on the two exporters, scraped by two jobs', async () => {
    await waitFor('four targets up', async () => (await prom!.query('up == 1')).length === 4, 60_000, 500);
    const rules = await waitFor(
      'every rule evaluated',
      async () => {
        const res = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
        };
        const all = res.data.groups.flatMap((g) => g.rules);
        return all.every((r) => r.health !== 'unknown') ? all : null;
      },
      30_000,
      500,
    );
    assert.deepEqual(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
      [],
    );
  });

  it('the fleet alerts fire as the scenario says, each once', async () => {
    const all = await waitFor(
      'fleet alerts',
      async () => {
        const f = await firing();
        const ready =
          named(f, 'VMZombieDomainStaleDefinition').length > 0 &&
          named(f, 'VMZombieDomainRunningOnSeveralHosts').length >= 2 &&
          named(f, 'VMZombieSharedImageOrphan').length > 0 &&
          named(f, 'VMZombieAutostartDomainNotRunning').length > 0;
        return ready ? f : null;
      },
      120_000,
      1000,
    ).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nfiring: ${JSON.stringify((await firing()).map((x) => x.labels))}`);
    });

    const stale = named(all, 'VMZombieDomainStaleDefinition');
    assert.deepEqual(
      stale.map((x) => [x.labels.instance, x.labels.uuid, x.labels.running_on, x.labels.autostart]),
      [[instances.a, uuid.migrated, instances.b, 'true']],
    );
    assert.match(stale[0]!.annotations.description ?? '', /would start a second copy/);

    const several = named(all, 'VMZombieDomainRunningOnSeveralHosts');
    assert.deepEqual(
      several.map((x) => [x.labels.uuid, x.labels.severity, x.labels.instance]).sort(),
      [
        [uuid.twice, 'critical', instances.a],
        [uuid.twice, 'critical', instances.b],
      ].sort(),
    );
    const both = [instances.a, instances.b].sort().join(', ');
    assert.ok(
      several[0]!.annotations.description?.includes(`2 instances at once: ${both}.`),
      several[0]!.annotations.description,
    );

    const orphans = named(all, 'VMZombieSharedImageOrphan');
    assert.equal(orphans.length, 1, JSON.stringify(orphans.map((x) => x.labels)));
    assert.equal(path.basename(orphans[0]!.labels.image ?? ''), 'nobody.qcow2');
    assert.ok(orphans[0]!.annotations.description?.includes(`2 hosts that mount it and looked: ${both}.`));
    assert.equal(
      orphans[0]!.annotations.runbook_url,
      `http://${[instances.a, instances.b].sort()[0]}/runbooks/VMZombieSharedImageOrphan`,
    );
  });

  it("stays silent for the migrated copy's autostart (its finding is there) and for B's live shared disk", async () => {
    // Past every `for` again: what has not fired by now is held back by the join, not by time.
    await new Promise((r) => setTimeout(r, 8000));
    const all = await firing();
    const autostart = named(all, 'VMZombieAutostartDomainNotRunning');
    assert.deepEqual(
      autostart.map((x) => [x.labels.instance, x.labels.uuid]),
      [[instances.a, uuid.lone]],
    );
    const finding = await prom!.query(
      `vmzombie_finding_age_seconds{kind="autostart_not_running",uuid="${uuid.migrated}"}`,
    );
    assert.ok(finding.length > 0, 'A reports the autostart finding; only the rule keeps it from paging');
    assert.deepEqual(
      named(all, 'VMZombieSharedImageOrphan').map((x) => path.basename(x.labels.image ?? '')),
      ['nobody.qcow2'],
    );
    const inUse = await prom!.query(`vmzombie_shared_image{state="in_use",image=~".*/b-live.qcow2"}`);
    assert.deepEqual([...new Set(inUse.map((s) => s.metric.instance))], [instances.b]);
    const unusedOnA = await prom!.query(
      `vmzombie_shared_image{state="unused",image=~".*/b-live.qcow2",instance="${instances.a}"}`,
    );
    assert.ok(unusedOnA.length > 0, 'A alone would call it unused');
    // No host pages its local orphan alert for a shared image.
    assert.deepEqual(
      named(all, 'VMZombieOrphanImage').filter((x) => (x.labels.image ?? '').startsWith(SHARED_IN_HOST)),
      [],
    );
  });
});
