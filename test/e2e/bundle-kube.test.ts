// End to end for the KubeVirt part of the bundle: two cluster agents (clusters east and west, each against its
// own test API server) and a node agent of east measuring a Longhorn data root, scraped by a real Prometheus
// loading the generated rules (short `for:`). A stuck deletion, a freeze loop, a backup in Error, a virt-handler
// near its limit with OOM kills, a backup target both clusters write to, a deleted VM's volume and a Longhorn
// orphan must raise exactly their alerts, and every panel query of the KubeVirt / Harvester dashboard must
// return series.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { DASHBOARDS } from '../../src/bundle/dashboards/index.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import * as k from '../support/kubevirt-objects.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { startPrometheus } from '../support/prometheus.js';
import { dashboardQueries, substitute } from '../support/dashboards.js';
import { waitFor } from '../support/wait.js';
import { rulesWithShortFor } from '../support/bundle-files.js';
import { silentLogger } from '../../src/util/log.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;
const TARGET = { endpoint: 'https://s3.shared.example', bucket: 'harvester' };
const HANDLER = { namespace: 'harvester-system', node: 'node-2', pod: 'virt-handler-9xq2w' };

const unavailable = skipWithout('Prometheus', missingCommands('prometheus', 'promtool'));

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

function agent(api: KubeApiServer, cluster: string): Promise<RunningExporter> {
  return startExporter(
    [
      '--mode=cluster',
      `--kube.config=${k.writeKubeconfig(api.url)}`,
      `--cluster=${cluster}`,
      '--collector.min-interval=0s',
      '--kube.recheck-interval=1s',
      '--kube.metrics-interval=0.2s',
      '--detect.grace=0s',
      '--detect.deletion-grace=0s',
      '--detect.vm-status-grace=0s',
      '--detect.kubevirt-volume-grace=0s',
      '--detect.longhorn-orphan-grace=0s',
    ],
    silentLogger,
  );
}

describe.skipIf(unavailable)('bundle end to end: cluster agents, Prometheus', { timeout: 240_000 }, () => {
  const east = new KubeApiServer();
  const west = new KubeApiServer();
  let agents: RunningExporter[] = [];
  let dataRoot = '';
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;

  beforeAll(async () => {
    await east.start();
    await west.start();
    dataRoot = await mkdtemp(path.join(os.tmpdir(), 'vmz-longhorn-'));
    await mkdir(path.join(dataRoot, 'replicas', 'pvc-0a1b-d1a2b3c4'), { recursive: true });
    await writeFile(
      path.join(dataRoot, 'replicas', 'pvc-0a1b-d1a2b3c4', 'volume-head-000.img'),
      Buffer.alloc(65536, 1),
    );
    const now = Math.floor(Date.now() / 1000);
    east.create(
      'vms',
      as(
        k.vm('default', 'web', 'Terminating', {
          deletionTimestamp: now - 4000,
          finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'],
        }),
      ),
    );
    east.create('vms', as(k.vm('default', 'ok', 'Running')));
    east.create('vms', as(k.vm('default', 'db', 'Running')));
    const vmi = east.create('vmis', as(k.vmi('default', 'db')));
    east.create('pods', as(k.launcherPod('default', 'virt-launcher-db-7hq2x', vmi.metadata.uid as string, 'db')));
    east.create(
      'vmbackups',
      as(
        k.vmBackup('default', 'db-backup', 'db', {
          error: { time: now - 30, message: 'target unreachable' },
          ...TARGET,
        }),
      ),
    );
    east.create('pods', as(k.handlerPod(HANDLER.namespace, HANDLER.pod, HANDLER.node)));
    // A deleted VM's disk, still Bound; and the stopped VM ok's disk, which its spec names.
    east.create('pvcs', as(k.vmDiskPvc('default', 'old-disk', { ownedByVm: 'gone', volumeName: 'pvc-0ld' })));
    east.create('pvs', as(k.pv('pvc-0ld', '20Gi', { namespace: 'default', name: 'old-disk' })));
    east.create('vms', as(k.vmWithDisks('default', 'stopped', 'Stopped', 'stopped-root', 'stopped-data')));
    east.create('pvcs', as(k.vmDiskPvc('default', 'stopped-data', { ownedByVm: 'stopped' })));
    // A Longhorn orphan whose replica data a node agent of east measures.
    east.create(
      'lhorphans',
      as({
        metadata: { name: 'orphan-5a1b', namespace: 'longhorn-system', finalizers: ['longhorn.io'] },
        spec: {
          nodeID: 'node-2',
          orphanType: 'replica-data',
          parameters: { DataName: 'pvc-0a1b-d1a2b3c4', DiskName: 'default-disk-1f2e', DiskPath: dataRoot },
        },
      }),
    );
    east.create('podmetrics', as(k.podMetrics(HANDLER.namespace, HANDLER.pod, '1520Mi')));
    west.create('vms', as(k.vm('default', 'app', 'Running')));
    west.create('vmbackups', as(k.vmBackup('default', 'app-backup', 'app', TARGET)));
    // A node agent of east that reads only the Longhorn data root.
    const nodeAgent = await startExporter(
      [
        '--cluster=east',
        `--longhorn.data-root=${dataRoot}`,
        '--no-collector.libvirt',
        '--no-collector.procfs',
        '--no-collector.sysfs',
        '--no-collector.pools',
        '--no-collector.virthandler',
        '--collector.min-interval=0s',
      ],
      silentLogger,
    );
    agents = [await agent(east, 'east'), await agent(west, 'west'), nodeAgent];
    const rules = await rulesWithShortFor();
    prom = await startPrometheus({ vmzombie: agents.map((a) => new URL(a.url).host) }, rules, 'http://127.0.0.1:9');
    await waitFor(
      'the three agents scraped',
      async () => (await prom!.query('vmzombie_build_info')).length === 3,
      60_000,
      500,
    );

    // After Prometheus has a first sample: 12 freeze transitions, one a second, and three OOM kills.
    for (let i = 1; i <= 12; i++) {
      east.modify('vmis', 'default', 'db', (o) => {
        const st = o.status as Record<string, unknown>;
        if (i % 2 === 1) st.fsFreezeStatus = 'frozen';
        else delete st.fsFreezeStatus;
      });
      if (i <= 3)
        east.update(
          'pods',
          as(
            k.handlerPod(HANDLER.namespace, HANDLER.pod, HANDLER.node, i, {
              finishedAt: now + i,
              containerID: `containerd://${i}${'f'.repeat(63)}`,
            }),
          ),
        );
      await new Promise((res) => setTimeout(res, 1000));
    }
  });

  afterAll(async () => {
    await prom?.stop();
    for (const a of agents) await a.stop();
    await east.stop();
    await west.stop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('exactly the expected alerts fire, once per cluster, and none names a healthy VM', async () => {
    const expected = [
      'VMZombieKubevirtBackupError east default/db-backup',
      'VMZombieKubevirtBackupTargetShared east',
      'VMZombieKubevirtBackupTargetShared west',
      'VMZombieKubevirtFinalizerStuck east default/web',
      'VMZombieKubevirtFreezeLoop east default/db',
      'VMZombieKubevirtOrphanVolume east default/old-disk',
      'VMZombieKubevirtStuckDeletion east default/web',
      'VMZombieKubevirtVMIFreezeRate east default/db',
      'VMZombieKubevirtVMStuckStatus east default/web',
      'VMZombieLonghornOrphan east longhorn-system/orphan-5a1b',
      'VMZombieVirtHandlerMemoryNearLimit east',
      'VMZombieVirtHandlerOOMKilled east',
    ];
    const describeAlert = (a: PromAlert) =>
      [
        a.labels.alertname,
        a.labels.cluster,
        a.labels.namespace && a.labels.name ? `${a.labels.namespace}/${a.labels.name}` : '',
      ]
        .filter(Boolean)
        .join(' ');
    let last: string[] = [];
    const firing = await waitFor(
      'expected alerts firing',
      async () => {
        const res = (await (await fetch(`${prom!.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
        const f = res.data.alerts.filter((a) => a.state === 'firing');
        last = f.map(describeAlert).sort();
        return last.join('\n') === expected.join('\n') ? f : null;
      },
      60_000,
      500,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nfiring: ${last.join('\n')}`);
    });
    const shared = firing.find(
      (a) => a.labels.alertname === 'VMZombieKubevirtBackupTargetShared' && a.labels.cluster === 'west',
    )!;
    assert.deepEqual(shared.labels, {
      alertname: 'VMZombieKubevirtBackupTargetShared',
      cluster: 'west',
      instance: new URL(agents[1]!.url).host,
      severity: 'warning',
      ...TARGET,
    });
    // A kind alert carries the owner of its resource, for Alertmanager to route by team.
    const stuck = firing.find((a) => a.labels.alertname === 'VMZombieKubevirtStuckDeletion')!;
    assert.equal(stuck.labels.owner, 'kubevirt:default');
    const finalizer = firing.find((a) => a.labels.alertname === 'VMZombieKubevirtFinalizerStuck')!;
    assert.equal(finalizer.labels.finalizer, 'wrangler.cattle.io/VMController.CleanupPVCAndSnapshot');
    const oom = firing.find((a) => a.labels.alertname === 'VMZombieVirtHandlerOOMKilled')!;
    assert.deepEqual(
      [oom.labels.namespace, oom.labels.node, oom.labels.pod],
      [HANDLER.namespace, HANDLER.node, HANDLER.pod],
    );
    for (const a of firing) {
      assert.ok(!JSON.stringify(a).includes('"ok"') && !JSON.stringify(a).includes('default/app'), describeAlert(a));
      const res = await fetch(a.annotations.runbook_url as string);
      assert.equal(res.status, 200, a.annotations.runbook_url);
    }
  });

  it('every rule evaluates with health ok', async () => {
    const res = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
    };
    assert.deepEqual(
      res.data.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.name}: ${r.lastError ?? r.health}`),
      [],
    );
  });

  it('every panel query of the KubeVirt / Harvester dashboard returns series', async () => {
    const d = DASHBOARDS.find((x) => x.file === 'vmzombie-kubevirt.json')!;
    const missing: string[] = [];
    const queries = dashboardQueries(d.build(DEFAULT_CONFIG));
    for (const q of queries) {
      if ((await prom!.query(substitute(q.expr, '10s'))).length === 0) missing.push(`${q.where}: ${q.expr}`);
    }
    assert.deepEqual(missing, []);
    assert.ok(queries.length >= 10);
    const targets = await prom!.query(substitute(queries.find((q) => q.title.startsWith('Backup targets'))!.expr));
    assert.deepEqual(
      targets.map((r) => [r.metric.endpoint, r.metric.bucket, r.value[1]]),
      [[TARGET.endpoint, TARGET.bucket, '2']],
    );
  });
});
