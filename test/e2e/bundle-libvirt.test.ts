// End to end for the bundle: a real libvirtd host with zombies, the exporter scraped by a real
// Prometheus under two jobs (two copies of every series) that loads the generated rules (a copy with
// short `for:`), and a real Alertmanager notifying a webhook served by the test. Every rule must
// evaluate, the expected alerts arrive once each with their labels and a runbook link the exporter
// serves, the healthy domain raises nothing, cleanup resolves them, every panel query of the Capacity
// review, Hypervisor and Exporter health dashboards returns series where this scenario has them, and the
// reclaimed ledger counts what the cleanup gave back (gone or healthy) through Prometheus and the panels.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { DASHBOARDS } from '../../src/bundle/dashboards/index.js';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { startAlertmanager, startPrometheus, startWebhook, type Webhook } from '../support/prometheus.js';
import { dashboardQueries, substitute } from '../support/dashboards.js';
import { waitFor } from '../support/wait.js';
import { generatedRules, rulesWithShortFor } from '../support/bundle-files.js';
import { missingCommands, skipWithout } from '../support/components.js';

const WEEK = 7 * 86400;

/** Panels that have no series in this scenario, and why. Every other panel query must return some. */
const EMPTY_HERE: Record<string, string> = {
  'Findings by vCenter': 'no vSphere collector runs here',
  'Devices by kind': 'no device is stranded on this host (the stat shows 0)',
  'Device findings': 'no stranded device, mdev, tap or hugepage on this host',
  'Disk given back, by kind and outcome': 'no finding has ended yet when the panels are read (the totals show 0)',
  'Memory given back, by kind and outcome': 'no finding has ended yet when the panels are read (the totals show 0)',
};

const unavailable = skipWithout(
  'a real libvirtd with QEMU, Prometheus and Alertmanager',
  missingCommands(
    'libvirtd',
    'virtlogd',
    'virsh',
    'qemu-system-x86_64',
    'qemu-img',
    'prometheus',
    'promtool',
    'prometheus-alertmanager',
    'amtool',
  ),
);

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

describe.skipIf(unavailable)('bundle end to end: libvirt host, Prometheus, Alertmanager', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  let webhook: Webhook;
  let am: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  const ids: Record<string, string> = {};
  const images: Record<string, string> = {};
  let strayPid = 0;
  let t = '';
  let orphanBytes: number | undefined;

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    t = host.tag;
    for (const k of ['healthy', 'paused', 'off', 'auto', 'orphan']) images[k] = await host.createImage(`${k}.qcow2`);
    await utimes(images.orphan as string, Date.now() / 1000 - WEEK, Date.now() / 1000 - WEEK);
    for (const k of ['healthy', 'paused', 'off', 'auto']) {
      ids[k] = await host.define({ name: `vmzt-${t}-${k}`, disks: [{ path: images[k] as string }] });
    }
    await host.virsh('start', ids.healthy as string);
    await host.virsh('start', ids.paused as string);
    await host.virsh('suspend', ids.paused as string);
    await host.virsh('autostart', ids.auto as string);
    strayPid = await host.startStrayQemu(`vmzt-${t}-lost`, images.off as string);

    exporter = await startExporter([
      '--detect.grace=0s',
      '--detect.paused-grace=0s',
      '--detect.autostart-grace=0s',
      '--detect.orphan-min-age=0s',
      '--collector.min-interval=0s',
      `--pool.dir=${host.workDir}`,
    ]);
    webhook = await startWebhook();
    am = await startAlertmanager(webhook.url);
    // The generated rules, with every `for` cut to 1s so the test does not wait for them.
    const rules = await rulesWithShortFor();
    const target = new URL(exporter.url).host;
    prom = await startPrometheus({ vmzombie: [target], 'vmzombie-node': [target] }, rules, am.url);
  });

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await webhook?.stop();
    await exporter?.stop();
    await host?.release();
  });

  const instance = () => new URL(exporter.url).host;
  const ours = (a: { labels: Record<string, string> }) => {
    const subject = a.labels.subject ?? '';
    return (a.labels.instance === instance() && subject.includes(`vmzt-${t}`)) || subject.startsWith(host.workDir);
  };
  const expected = () =>
    [
      `VMZombieAutostartDomainNotRunning vmzt-${t}-auto (${ids.auto})`,
      `VMZombieDomainPaused vmzt-${t}-paused (${ids.paused})`,
      `VMZombieImageLockedWhileDomainInactive ${images.off}`,
      `VMZombieOrphanImage ${images.orphan}`,
      `VMZombieQemuWithoutDomain vmzt-${t}-lost (pid ${strayPid})`,
    ].sort();

  it('Prometheus scrapes the exporter under both jobs and every rule evaluates with health ok', async () => {
    await waitFor('both jobs up', async () => (await prom!.query('up == 1')).length === 2, 60_000, 500);
    const rules = await waitFor(
      'every rule evaluated',
      async () => {
        const res = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as {
          data: {
            groups: Array<{
              rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }>;
            }>;
          };
        };
        const all = res.data.groups.flatMap((g) => g.rules);
        return all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : null;
      },
      30_000,
      500,
    );
    const source = await generatedRules();
    assert.equal(rules.length, source.groups.flatMap((g) => g.rules).length);
    assert.deepEqual(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
      [],
    );
  });

  it('the expected alerts reach Alertmanager once each, with labels and a runbook link it serves', async () => {
    const alerts = await waitFor(
      'expected alerts in Alertmanager',
      async () => {
        const all = (await (await fetch(`${am!.url}/api/v2/alerts?active=true`)).json()) as AmAlert[];
        const mine = all.filter(ours);
        const got = mine.map((a) => `${a.labels.alertname} ${a.labels.subject}`).sort();
        return got.join('\n') === expected().join('\n') ? mine : null;
      },
      60_000,
      500,
    ).catch(async (e: unknown) => {
      const all = (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as AmAlert[];
      throw new Error(`${String(e)}\ngot: ${all.map((a) => `${a.labels.alertname} ${a.labels.subject}`).join('\n')}`);
    });
    const paused = alerts.find((a) => a.labels.alertname === 'VMZombieDomainPaused')!;
    // Both jobs' copies collapse into one alert without a job label.
    assert.deepEqual(paused.labels, {
      alertname: 'VMZombieDomainPaused',
      instance: instance(),
      kind: 'domain_paused',
      severity: 'warning',
      subject: `vmzt-${t}-paused (${ids.paused})`,
      domain: `vmzt-${t}-paused`,
      uuid: ids.paused as string,
      reason: 'user',
    });
    assert.equal(paused.annotations.summary, `domain vmzt-${t}-paused paused (user)`);
    assert.match(
      paused.annotations.description ?? '',
      new RegExp(`^vmzt-${t}-paused \\(${ids.paused}\\) on ${instance().replace(/\./g, '\\.')}, seen for \\d`),
    );
    const stray = alerts.find((a) => a.labels.alertname === 'VMZombieQemuWithoutDomain')!;
    assert.deepEqual(
      [stray.labels.guest, stray.labels.pid, stray.labels.severity],
      [`vmzt-${t}-lost`, String(strayPid), 'warning'],
    );
    for (const a of alerts) {
      assert.equal(a.annotations.runbook_url, `http://${instance()}/runbooks/${a.labels.alertname}`);
      const res = await fetch(a.annotations.runbook_url as string);
      assert.equal(res.status, 200, a.annotations.runbook_url);
      assert.match(await res.text(), new RegExp(`<h1>${a.labels.alertname}</h1>`));
    }
  });

  it('no alert names the healthy domain, and the exporter raises nothing beyond the built cases', async () => {
    const all = (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as AmAlert[];
    assert.ok(all.length >= expected().length);
    for (const a of all) {
      const text = JSON.stringify([a.labels, a.annotations]);
      assert.ok(!text.includes(`vmzt-${t}-healthy`) && !text.includes(ids.healthy as string), text);
    }
    const others = all
      .filter((a) => a.labels.instance === instance() && !ours(a))
      .map((a) => `${a.labels.alertname} ${a.labels.subject ?? a.labels.collector ?? ''}`);
    assert.deepEqual(others, []);
  });

  it('every panel query of the Capacity, Hypervisor and Exporter health dashboards returns series here', async () => {
    const missing: string[] = [];
    let checked = 0;
    for (const d of DASHBOARDS.filter((x) =>
      ['vmzombie-capacity.json', 'vmzombie-hypervisor.json', 'vmzombie-exporter.json'].includes(x.file),
    )) {
      for (const q of dashboardQueries(d.build(DEFAULT_CONFIG))) {
        const result = await prom!.query(substitute(q.expr, '10s'));
        if (EMPTY_HERE[q.title] !== undefined) continue;
        checked++;
        if (result.length === 0) missing.push(`${d.file}: ${q.where}: ${q.expr}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(checked >= 30, `${checked} queries checked`);
    // The findings table names each finding and joins the domain's state from its info series.
    const table = dashboardQueries(DASHBOARDS[0]!.build(DEFAULT_CONFIG)).find((q) => q.title === 'Findings by age')!;
    const rows = await prom!.query(substitute(table.expr));
    const paused = rows.find((r) => r.metric.kind === 'domain_paused' && r.metric.domain === `vmzt-${t}-paused`);
    assert.equal(paused?.metric.state, 'paused');
    assert.ok(
      rows.some((r) => r.metric.kind === 'qemu_without_domain' && r.metric.guest === `vmzt-${t}-lost`),
      'a finding without a domain stays in the table',
    );
  });

  it('after cleanup the webhook receives resolved for each alert', async () => {
    // Alertmanager sends a resolved notification only for a group it has notified as firing: an
    // alert that resolves inside its group_wait is never notified at all. So the cleanup waits for
    // every firing notification first.
    const notified = (status: string) =>
      new Set(
        webhook.received
          .flatMap((n) => n.alerts)
          .filter((a) => a.status === status && ours(a))
          .map((a) => `${a.labels.alertname} ${a.labels.subject}`),
      );
    await waitFor(
      'firing notifications',
      () => {
        const missing = expected().filter((e) => !notified('firing').has(e));
        if (missing.length > 0) throw new Error(`not notified: ${missing.join('; ')}`);
        return true;
      },
      30_000,
      250,
    );
    const before = JSON.parse((await exporter.get('/findings.json')).body) as {
      findings: Array<{ kind: string; subject: string; reclaimable: { diskBytes?: number } }>;
    };
    orphanBytes = before.findings.find((f) => f.kind === 'orphan_image' && f.subject === images.orphan)?.reclaimable
      .diskBytes;
    await host.virsh('resume', ids.paused as string);
    await host.virsh('autostart', '--disable', ids.auto as string);
    process.kill(strayPid, 'SIGKILL');
    const { rm } = await import('node:fs/promises');
    await rm(images.orphan as string);
    await waitFor(
      'resolved notifications',
      () => {
        const resolved = notified('resolved');
        const missing = expected().filter((e) => !resolved.has(e));
        // Thrown, not returned: on timeout the error names the alerts that never resolved.
        if (missing.length > 0) throw new Error(`not resolved: ${missing.join('; ')}`);
        return true;
      },
      90_000,
      500,
    ).catch(async (e: unknown) => {
      // What the exporter says now: which collectors are up and which findings it still reports.
      const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
      const now = metrics
        .split('\n')
        .filter((l) => /^vmzombie_(collector_up|collector_state|detector_up|finding_age_seconds)\{/.test(l))
        .join('\n');
      throw new Error(`${String(e)}\nexporter now:\n${now}`);
    });
    const firing = webhook.received
      .flatMap((n) => n.alerts)
      .filter((a) => a.status === 'firing' && ours(a))
      .map((a) => a.labels.alertname);
    assert.deepEqual(
      [...new Set(firing)].sort(),
      expected()
        .map((e) => e.split(' ')[0])
        .sort(),
    );
  });
  it('the reclaimed ledger counts what the cleanup gave back, and the Reclaimed panels show it', async () => {
    assert.ok(orphanBytes !== undefined && orphanBytes > 0, `orphan image bytes: ${orphanBytes}`);
    const value = async (expr: string) => {
      const r = await prom!.query(`max(${expr})`);
      return r.length === 0 ? null : Number(r[0]!.value[1]);
    };
    const ended = (kind: string, outcome: string) =>
      value(`vmzombie_findings_ended_total{instance="${instance()}",kind="${kind}",outcome="${outcome}"}`);
    // Resumed, autostart turned off, lock released: the resource is still there, used as it should be.
    // Deleted or killed: gone.
    await waitFor(
      'the ended findings in Prometheus',
      async () => {
        const got = {
          paused: await ended('domain_paused', 'healthy'),
          autostart: await ended('autostart_not_running', 'healthy'),
          lock: await ended('image_locked_while_domain_inactive', 'healthy'),
          qemu: await ended('qemu_without_domain', 'gone'),
          orphan: await ended('orphan_image', 'gone'),
        };
        const short = Object.entries(got).filter(([, v]) => v === null || v < 1);
        if (short.length > 0) throw new Error(`not yet: ${JSON.stringify(got)}`);
        return got;
      },
      30_000,
      500,
    );
    // The orphan's bytes, once (the healthy outcomes of the other kinds hold no disk of their own here).
    const gone = await value(
      `vmzombie_reclaimed_disk_bytes_total{instance="${instance()}",kind="orphan_image",outcome="gone"}`,
    );
    assert.equal(gone, orphanBytes);
    const capacity = DASHBOARDS.find((d) => d.file === 'vmzombie-capacity.json')!.build(DEFAULT_CONFIG);
    const queries = dashboardQueries(capacity);
    const byKind = queries.find((q) => q.title === 'Disk given back, by kind and outcome')!;
    const rows = await prom!.query(substitute(byKind.expr, '1m'));
    assert.ok(
      rows.some((r) => r.metric.kind === 'orphan_image' && r.metric.outcome === 'gone' && Number(r.value[1]) > 0),
      JSON.stringify(rows.map((r) => r.metric)),
    );
    const total = queries.find((q) => q.title === 'Disk given back')!;
    const [sum] = await prom!.query(substitute(total.expr, '1m', '1h'));
    assert.ok(sum !== undefined && Number(sum.value[1]) >= (orphanBytes as number), JSON.stringify(sum));
  });
});
