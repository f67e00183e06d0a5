// End to end for the vSphere part of the bundle: govmomi's simulator with orphaned, inaccessible and
// snapshot-laden VMs and orphan files, the exporter, and a real Prometheus loading the generated rules
// (short `for:`). Exactly the vSphere alerts of the built cases fire, none for the healthy VM, and
// every panel query of the vSphere dashboard returns series.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { DASHBOARDS } from '../../src/bundle/dashboards/index.js';
import { startSimulator, simulatorUnavailable, cleanupSimulatorBuild, type Simulator } from '../vsphere/simulator.js';
import { VsphereAdmin, snapshotTreeXml } from '../vsphere/admin.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { startPrometheus } from '../support/prometheus.js';
import { dashboardQueries, substitute } from '../support/dashboards.js';
import { waitFor } from '../support/wait.js';
import { rulesWithShortFor } from '../support/bundle-files.js';
import { child, children, moRef } from '../../src/sources/vsphere/xml.js';
import { missingCommands, skipWithout } from '../support/components.js';

const unavailable = skipWithout(
  "govmomi's vSphere simulator and Prometheus",
  (await simulatorUnavailable()) ?? missingCommands('prometheus', 'promtool'),
);

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

describe.skipIf(unavailable)('bundle end to end: vSphere simulator, Prometheus', { timeout: 240_000 }, () => {
  let sim: Simulator;
  let admin: VsphereAdmin;
  let exporter: RunningExporter;
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ vms: 4, hosts: 2 });
    admin = new VsphereAdmin(sim.url);
    const vm = (name: string) => admin.find('VirtualMachine', name);
    for (const name of ['s1', 's2', 's3']) await admin.snapshot(await vm('DC0_H0_VM0'), name); // healthy: 3 deep, fresh
    await admin.setVm(await vm('DC0_H0_VM1'), 'runtime.connectionState', 'xsd:string', 'orphaned');
    await admin.setVm(await vm('DC0_H0_VM3'), 'runtime.consolidationNeeded', 'xsd:boolean', 'true');
    await admin.powerOff(await vm('DC0_H1_VM3'));
    await admin.unregister(await vm('DC0_H1_VM3'));
    await admin.setVm(await vm('DC0_C0_RP0_VM1'), 'runtime.connectionState', 'xsd:string', 'inaccessible');
    const stale = await vm('DC0_C0_RP0_VM2');
    await admin.snapshot(stale, 'old');
    const snap = moRef(child(children(await admin.property(stale, 'snapshot'), 'rootSnapshotList')[0], 'snapshot'));
    assert.ok(snap);
    await admin.setVm(
      stale,
      'snapshot.rootSnapshotList',
      'ArrayOfVirtualMachineSnapshotTree',
      snapshotTreeXml(stale, snap, 'old', Date.now() / 1000 - 100 * 3600),
    );
    for (const name of ['d1', 'd2', 'd3', 'd4']) await admin.snapshot(await vm('DC0_C0_RP0_VM3'), name);
    await admin.makeDirectory('[LocalDS_0] stray');
    await admin.createVirtualDisk('[LocalDS_0] stray/stray.vmdk', 1024);

    exporter = await startExporter([
      `--vsphere.url=${sim.url}`,
      '--no-collector.libvirt',
      '--no-collector.procfs',
      '--collector.min-interval=0s',
      '--collector.timeout=20s',
      '--detect.grace=0s',
      '--detect.orphan-min-age=0s',
      '--vsphere.datastore-scan-interval=1h',
    ]);
    const rules = await rulesWithShortFor();
    prom = await startPrometheus({ vmzombie: [new URL(exporter.url).host] }, rules, 'http://127.0.0.1:9');
  });

  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    await admin?.close();
    await sim?.stop();
    await cleanupSimulatorBuild();
  });

  it('exactly the vSphere alerts of the built cases fire, none for the healthy VM', async () => {
    const expected = [
      'VMZombieVsphereConsolidationNeeded DC0_H0_VM3',
      'VMZombieVsphereOrphanDisk [LocalDS_0] stray/stray.vmdk',
      'VMZombieVsphereSnapshotChainDeep DC0_C0_RP0_VM3',
      'VMZombieVsphereSnapshotStale DC0_C0_RP0_VM2 / old',
      'VMZombieVsphereUnregisteredVmFolder [LocalDS_0] DC0_H1_VM3/',
      'VMZombieVsphereVmInaccessible DC0_C0_RP0_VM1',
      'VMZombieVsphereVmOrphaned DC0_H0_VM1',
    ];
    let last: string[] = [];
    const firing = await waitFor(
      'vSphere alerts firing',
      async () => {
        const res = (await (await fetch(`${prom!.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
        const f = res.data.alerts.filter(
          (a) => a.state === 'firing' && a.labels.alertname?.startsWith('VMZombieVsphere'),
        );
        last = f.map((a) => `${a.labels.alertname} ${a.labels.subject}`).sort();
        return last.join('\n') === expected.join('\n') ? f : null;
      },
      90_000,
      500,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nfiring: ${last.join('\n')}`);
    });
    const vcenter = `127.0.0.1:${sim.port}`;
    for (const a of firing) {
      assert.equal(a.labels.vcenter, vcenter, a.labels.alertname);
      assert.ok(!JSON.stringify(a).includes('DC0_H0_VM0'), a.labels.alertname);
    }
    assert.equal(
      firing.find((a) => a.labels.alertname === 'VMZombieVsphereSnapshotStale')?.annotations.summary,
      'snapshot old of VM DC0_C0_RP0_VM2 is older than allowed',
    );
  });

  it('every panel query of the vSphere dashboard returns series', async () => {
    const d = DASHBOARDS.find((x) => x.file === 'vmzombie-vsphere.json')!;
    const queries = dashboardQueries(d.build(DEFAULT_CONFIG));
    const missing: string[] = [];
    for (const q of queries) {
      if ((await prom!.query(substitute(q.expr, '10s'))).length === 0) missing.push(`${q.where}: ${q.expr}`);
    }
    assert.deepEqual(missing, []);
    assert.ok(queries.length >= 12);
  });
});
