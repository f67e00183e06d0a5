// End to end: the exporter in cluster mode (Exporter + HTTP server, in-process) against the test
// Kubernetes API server, through a kubeconfig; assertions on exact series of GET /metrics.
import { afterEach, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer } from '../support/kube-api-server.js';
import * as k from '../support/kubevirt-objects.js';
import { series as matching, type Sample } from '../support/prom-text.js';
import { startExporter as start, type RunningExporter } from '../support/exporter.js';
import { waitFor } from '../support/wait.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { Exporter } from '../../src/exporter.js';
import { captureSnapshot } from '../support/capture.js';
import { silentLogger } from '../../src/util/log.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;
const CLUSTER = 'east';
const c = (labels: Record<string, string> = {}) => ({ cluster: CLUSTER, ...labels });

type Running = RunningExporter;

const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** The value of the series with exactly these labels. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return matching(samples, name).find((s) => key(s.labels) === key(labels))?.value;
}

/** Every series of a family as [sorted labels, value], in a stable order, for exact comparisons. */
function series(samples: Sample[], name: string): Array<[Record<string, string>, number]> {
  return matching(samples, name)
    .map((s): [Record<string, string>, number] => [
      Object.fromEntries(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b))),
      s.value,
    ])
    .sort((a, b) => key(a[0]).localeCompare(key(b[0])));
}

function startExporter(api: KubeApiServer, flags: string[], clock?: () => number): Promise<Running> {
  return start(
    [
      '--mode=cluster',
      `--kube.config=${k.writeKubeconfig(api.url)}`,
      `--cluster=${CLUSTER}`,
      '--collector.min-interval=0s',
      '--collector.timeout=5s',
      '--kube.recheck-interval=1s',
      '--kube.metrics-interval=0.2s',
      // The raw snapshot: captured as a fixture and read back below.
      '--web.enable-snapshot',
      '--web.snapshot-unredacted',
      ...flags,
    ],
    silentLogger,
    clock,
  );
}

const scrape = (r: Running): Promise<Sample[]> => r.scrape();

describe('cluster agent end to end', () => {
  let api: KubeApiServer;
  let running: Running | null = null;
  // The kube source's module (and @kubernetes/client-node) is imported on the first cluster-mode
  // collection; on a loaded machine that import alone outlasted the first scrape's 9 s budget, and the
  // test read `timeout` where it meant to read the kubeconfig error. Loaded once here, up front.
  beforeAll(async () => {
    await import('../../src/sources/kubevirt/kube-source.js');
  }, 120_000);
  afterEach(async () => {
    await running?.stop();
    running = null;
    await api.stop();
  });

  it('node mode does not start the kube source', () => {
    const { config } = parseArgs(
      ['serve'],
      SOURCES.map((s) => s.name),
    );
    const exporter = new Exporter(config, silentLogger, { processMetrics: false });
    assert.ok(!exporter.sourceNames.includes('kubevirt'));
    void exporter.close();
    api = new KubeApiServer();
  });

  it('an unreadable kubeconfig: the kube collector down with the reason, the exporter serves on', async () => {
    api = new KubeApiServer();
    running = await start(
      ['--mode=cluster', '--kube.config=/nonexistent/kubeconfig', '--collector.min-interval=0s'],
      silentLogger,
    );
    const s = await running.scrape();
    assert.equal(valueOf(s, 'vmzombie_collector_up', { collector: 'kubevirt' }), 0);
    assert.equal(valueOf(s, 'vmzombie_collector_state', { collector: 'kubevirt', state: 'error' }), 1);
    const page = await running.get('/');
    assert.match(page.body, /kubeconfig \/nonexistent\/kubeconfig: ENOENT/);
  });

  it('reports the finalizer age of a Harvester VM held by CleanupPVCAndSnapshot for 16 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    api = new KubeApiServer();
    await api.start();
    const cleanup = 'wrangler.cattle.io/VMController.CleanupPVCAndSnapshot';
    api.create(
      'vms',
      as(k.vm('default', 'web', 'Terminating', { deletionTimestamp: now - 960, finalizers: [cleanup] })),
    );
    api.create(
      'vms',
      as(
        k.vm('default', 'db', 'Terminating', {
          deletionTimestamp: now - 1200,
          finalizers: ['kubevirt.io/virtualMachineControllerFinalize', cleanup],
        }),
      ),
    );
    api.create('vms', as(k.vm('default', 'ok', 'Running')));
    // Deleted two minutes ago: still inside --detect.deletion-grace, not reported.
    api.create(
      'pvcs',
      as(
        k.pvc('default', 'web-disk-0', { deletionTimestamp: now - 120, finalizers: ['kubernetes.io/pvc-protection'] }),
      ),
    );
    api.create('pvcs', as(k.pvc('default', 'gone', { deletionTimestamp: now - 400, finalizers: [] })));
    running = await startExporter(api, [], () => now);
    const s = await scrape(running);
    assert.deepEqual(series(s, 'vmzombie_kubevirt_deletion_stuck_seconds'), [
      [
        { cluster: CLUSTER, finalizer: '', name: 'gone', namespace: 'default', resource: 'persistentvolumeclaims' },
        400,
      ],
      [
        {
          cluster: CLUSTER,
          finalizer: 'kubevirt.io/virtualMachineControllerFinalize',
          name: 'db',
          namespace: 'default',
          resource: 'virtualmachines.kubevirt.io',
        },
        1200,
      ],
      [
        {
          cluster: CLUSTER,
          finalizer: cleanup,
          name: 'db',
          namespace: 'default',
          resource: 'virtualmachines.kubevirt.io',
        },
        1200,
      ],
      [
        {
          cluster: CLUSTER,
          finalizer: cleanup,
          name: 'web',
          namespace: 'default',
          resource: 'virtualmachines.kubevirt.io',
        },
        960,
      ],
    ]);
    assert.deepEqual(series(s, 'vmzombie_kubevirt_vm_status_seconds'), [
      [{ cluster: CLUSTER, name: 'db', namespace: 'default', status: 'Terminating' }, 1200],
      [{ cluster: CLUSTER, name: 'web', namespace: 'default', status: 'Terminating' }, 960],
    ]);
    assert.equal(valueOf(s, 'vmzombie_findings', c({ kind: 'kubevirt_stuck_deletion' })), 3);
    assert.equal(valueOf(s, 'vmzombie_findings_pending', c({ kind: 'kubevirt_stuck_deletion' })), 1);
    assert.equal(valueOf(s, 'vmzombie_collector_up', c({ collector: 'kubevirt' })), 1);
    assert.equal(valueOf(s, 'vmzombie_kube_resource_available', c({ resource: 'virtualmachines.kubevirt.io' })), 1);
    // Every series of the cluster agent carries the cluster label.
    assert.deepEqual(
      s.filter((x) => x.labels.cluster !== CLUSTER),
      [],
    );
  });

  it('counts a VMI freeze loop, raises the finding, and reports the Error backup behind it', async () => {
    // The exporter runs on an injected clock: the rate is computed from `now`, so the loop is played
    // one change per simulated second instead of waiting twelve real ones.
    let now = Math.floor(Date.now() / 1000);
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'db', 'Running')));
    const vmi = api.create('vmis', as(k.vmi('default', 'db')));
    api.create('pods', as(k.launcherPod('default', 'virt-launcher-db-7hq2x', vmi.metadata.uid as string, 'db')));
    const message = 'backups.longhorn.io "backup-0c7e52d1" not found';
    api.create(
      'vmbackups',
      as(
        k.vmBackup('default', 'db-backup', 'db', {
          error: { time: now - 30, message },
          endpoint: 'https://s3.shared.example',
          bucket: 'harvester',
        }),
      ),
    );
    api.create(
      'vmbackups',
      as(k.vmBackup('default', 'db-backup-old', 'db', { endpoint: 'https://s3.shared.example', bucket: 'harvester' })),
    );
    running = await startExporter(api, ['--detect.grace=0s'], () => now);
    const first = await scrape(running);
    assert.equal(
      valueOf(first, 'vmzombie_kubevirt_vmi_freeze_transitions_total', c({ namespace: 'default', name: 'db' })),
      0,
    );
    assert.equal(valueOf(first, 'vmzombie_findings', c({ kind: 'kubevirt_freeze_loop' })), 0);
    // The backup controller re-freezes the guest on every retry; Harvester's unfreeze timeout is 1 s.
    const db = c({ namespace: 'default', name: 'db' });
    const freezes = 'vmzombie_kubevirt_vmi_freeze_transitions_total';
    const transitions = async () => valueOf(await scrape(running as Running), freezes, db);
    for (let i = 1; i <= 12; i++) {
      now += 1;
      api.modify('vmis', 'default', 'db', (o) => {
        const st = o.status as Record<string, unknown>;
        if (i % 2 === 1) st.fsFreezeStatus = 'frozen';
        else delete st.fsFreezeStatus;
      });
      // Each change is seen at its own second before the next one is made.
      await waitFor(`transition ${i}`, async () => (await transitions()) === i);
    }
    const s = await waitFor('12 transitions', async () => {
      const x = await scrape(running as Running);
      return valueOf(x, 'vmzombie_kubevirt_vmi_freeze_transitions_total', c({ namespace: 'default', name: 'db' })) ===
        12
        ? x
        : null;
    });
    assert.equal(valueOf(s, 'vmzombie_findings', c({ kind: 'kubevirt_freeze_loop' })), 1);
    assert.deepEqual(series(s, 'vmzombie_kubevirt_backup_error'), [
      [
        {
          cluster: CLUSTER,
          name: 'db-backup',
          namespace: 'default',
          resource: 'virtualmachinebackups.harvesterhci.io',
          source: 'db',
        },
        1,
      ],
    ]);
    assert.deepEqual(series(s, 'vmzombie_kubevirt_backup_target_info'), [
      [{ bucket: 'harvester', cluster: CLUSTER, endpoint: 'https://s3.shared.example' }, 1],
    ]);
    const findings = (await (await fetch(`${(running as Running).url}/findings.json`)).json()) as {
      findings: Array<{ kind: string; evidence: Record<string, unknown> }>;
    };
    assert.equal(findings.findings.find((f) => f.kind === 'kubevirt_backup_error')?.evidence.message, message);
    assert.equal(findings.findings.find((f) => f.kind === 'kubevirt_freeze_loop')?.evidence.transitionsInWindow, 12);
    await captureSnapshot(
      'kubevirt-freeze-loop',
      await (await fetch(`${(running as Running).url}/snapshot.json`)).text(),
      ['--mode=cluster', `--cluster=${CLUSTER}`, '--detect.grace=0s'],
    );
    // No message in any label.
    assert.ok(!s.some((x) => Object.values(x.labels).some((v) => v.includes('not found'))));
    // Five minutes (--detect.freeze-window) after the last change the loop has left the window: the
    // counter stays, the finding goes.
    now += 300;
    const later = await scrape(running);
    assert.equal(valueOf(later, freezes, db), 12);
    assert.equal(valueOf(later, 'vmzombie_findings', c({ kind: 'kubevirt_freeze_loop' })), 0);
  });

  it('counts three OOM kills of virt-handler and reports its memory against the limit', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('pods', as(k.handlerPod('harvester-system', 'virt-handler-9xq2w', 'node-2')));
    api.create('podmetrics', as(k.podMetrics('harvester-system', 'virt-handler-9xq2w', '1520Mi')));
    running = await startExporter(api, ['--detect.grace=0s']);
    await scrape(running);
    for (let n = 1; n <= 3; n++) {
      api.update(
        'pods',
        as(
          k.handlerPod('harvester-system', 'virt-handler-9xq2w', 'node-2', n, {
            finishedAt: 1795420000 + 60 * n,
            containerID: `containerd://${n}${'f'.repeat(63)}`,
          }),
        ),
      );
      await waitFor(
        `restart ${n}`,
        async () =>
          valueOf(
            await scrape(running as Running),
            'vmzombie_virt_handler_restarts_total',
            c({ namespace: 'harvester-system', node: 'node-2', pod: 'virt-handler-9xq2w' }),
          ) === n,
      );
    }
    const s = await waitFor('working set', async () => {
      const x = await scrape(running as Running);
      return valueOf(
        x,
        'vmzombie_virt_handler_memory_working_set_bytes',
        c({ namespace: 'harvester-system', node: 'node-2', pod: 'virt-handler-9xq2w' }),
      ) !== undefined
        ? x
        : null;
    });
    const labels = c({ namespace: 'harvester-system', node: 'node-2', pod: 'virt-handler-9xq2w' });
    assert.equal(valueOf(s, 'vmzombie_virt_handler_oom_kills_total', labels), 3);
    assert.equal(valueOf(s, 'vmzombie_virt_handler_memory_working_set_bytes', labels), 1520 * 2 ** 20);
    assert.equal(valueOf(s, 'vmzombie_virt_handler_memory_limit_bytes', labels), 1600 * 2 ** 20);
    assert.equal(valueOf(s, 'vmzombie_virt_handler_memory_request_bytes', labels), 325 * 2 ** 20);
    assert.equal(valueOf(s, 'vmzombie_findings', c({ kind: 'virt_handler_memory_near_limit' })), 1);
  });

  it('finds a virt-launcher pod without VMI, and goes down and back up with the API server', async () => {
    api = new KubeApiServer();
    await api.start();
    const vmi = api.create('vmis', as(k.vmi('default', 'web')));
    api.create('pods', as(k.launcherPod('default', 'virt-launcher-web-abcde', vmi.metadata.uid as string, 'web')));
    api.create(
      'pods',
      as(k.launcherPod('default', 'virt-launcher-old-zx9k2', '6f1c9e4e-0000-4000-8000-00000000dead', 'old')),
    );
    running = await startExporter(api, ['--detect.grace=0s']);
    const s = await scrape(running);
    assert.equal(valueOf(s, 'vmzombie_findings', c({ kind: 'virt_launcher_pod_orphaned' })), 1);
    assert.ok(
      valueOf(
        s,
        'vmzombie_finding_age_seconds',
        c({
          kind: 'virt_launcher_pod_orphaned',
          subject: 'pods default/virt-launcher-old-zx9k2',
          namespace: 'default',
          name: 'virt-launcher-old-zx9k2',
          resource: 'pods',
          // Its owner, for Alertmanager to route by team: the namespace.
          owner: 'kubevirt:default',
        }),
      ) !== undefined,
    );

    await api.stop();
    const down = await waitFor(
      'collector down',
      async () => {
        const x = await scrape(running as Running);
        return valueOf(x, 'vmzombie_collector_up', c({ collector: 'kubevirt' })) === 0 ? x : null;
      },
      10000,
    );
    assert.equal(valueOf(down, 'vmzombie_collector_state', c({ collector: 'kubevirt', state: 'error' })), 1);
    // The last good state is kept, marked stale: the finding stays, the detector is marked down.
    assert.equal(valueOf(down, 'vmzombie_findings', c({ kind: 'virt_launcher_pod_orphaned' })), 1);
    assert.equal(valueOf(down, 'vmzombie_detector_up', c({ kind: 'virt_launcher_pod_orphaned' })), 0);
    const lastSuccess = valueOf(
      down,
      'vmzombie_collector_last_success_timestamp_seconds',
      c({ collector: 'kubevirt' }),
    );
    await new Promise((res) => setTimeout(res, 50));
    const stillDown = await scrape(running);
    assert.equal(valueOf(stillDown, 'vmzombie_collector_up', c({ collector: 'kubevirt' })), 0);
    assert.equal(
      valueOf(stillDown, 'vmzombie_collector_last_success_timestamp_seconds', c({ collector: 'kubevirt' })),
      lastSuccess,
      'no success while down',
    );
    const snap = (await (await fetch(`${(running as Running).url}/snapshot.json`)).json()) as {
      collectors: Record<string, { stale: boolean; state: string }>;
    };
    assert.deepEqual([snap.collectors.kubevirt?.state, snap.collectors.kubevirt?.stale], ['error', true]);

    await api.start();
    api.remove('pods', 'default', 'virt-launcher-old-zx9k2');
    const up = await waitFor(
      'recovery',
      async () => {
        const x = await scrape(running as Running);
        return valueOf(x, 'vmzombie_collector_up', c({ collector: 'kubevirt' })) === 1 ? x : null;
      },
      15000,
    );
    assert.equal(valueOf(up, 'vmzombie_findings', c({ kind: 'virt_launcher_pod_orphaned' })), 0);
    assert.equal(valueOf(up, 'vmzombie_detector_up', c({ kind: 'virt_launcher_pod_orphaned' })), 1);
  });
});
