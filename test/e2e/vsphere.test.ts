// End to end on a real vSphere API (govmomi's simulator): every vsphere finding kind is built
// through SOAP calls, next to healthy look-alikes that must stay silent, and read back over
// /metrics from the exporter CLI.
import { afterAll, beforeAll, describe, it } from 'vitest';
import os from 'node:os';
import { captureSnapshot } from '../support/capture.js';
import assert from 'node:assert/strict';
import { startSimulator, simulatorUnavailable, cleanupSimulatorBuild, type Simulator } from '../vsphere/simulator.js';
import { VsphereAdmin, snapshotTreeXml, dateTimeXml } from '../vsphere/admin.js';
import { startExporter, eventually, type ExporterProcess } from '../vsphere/exporter-process.js';
import { execa } from 'execa';
import { child, children, escapeXml, moRef, text } from '../../src/sources/vsphere/xml.js';
import { skipWithout } from '../support/components.js';

const unavailable = skipWithout("govmomi's vSphere simulator", await simulatorUnavailable());

describe.skipIf(unavailable)('vsphere collector on the simulator', { timeout: 180_000 }, () => {
  let sim: Simulator;
  let admin: VsphereAdmin;
  let exporter: ExporterProcess;
  const now = () => Date.now() / 1000;

  beforeAll(async () => {
    sim = await startSimulator({ vms: 4, hosts: 2 });
    admin = new VsphereAdmin(sim.url);
    const vm = (name: string) => admin.find('VirtualMachine', name);
    const hostA = await admin.find('HostSystem', 'DC0_H0');
    const hostB = await admin.find('HostSystem', 'DC0_H1');
    const cluster = await admin.find('ClusterComputeResource', 'DC0_C0');

    // Standalone host A, up for two hours.
    await admin.hook(hostA, 'runtime.bootTime', 'xsd:dateTime', dateTimeXml(now() - 7200));
    const healthy = await vm('DC0_H0_VM0');
    for (const name of ['s1', 's2', 's3']) await admin.snapshot(healthy, name); // 3 deep and fresh: silent
    await admin.setVm(await vm('DC0_H0_VM1'), 'runtime.connectionState', 'xsd:string', 'orphaned');
    const autostartOff = await vm('DC0_H0_VM2');
    await admin.powerOff(autostartOff);
    await admin.autostart(hostA, autostartOff);
    await admin.setVm(await vm('DC0_H0_VM3'), 'runtime.consolidationNeeded', 'xsd:boolean', 'true');

    // Standalone host B goes not responding under one powered-on VM; the others are off.
    for (const name of ['DC0_H1_VM1', 'DC0_H1_VM2', 'DC0_H1_VM3']) await admin.powerOff(await vm(name));
    await admin.unregister(await vm('DC0_H1_VM3')); // its folder stays on the datastore
    await admin.hook(hostB, 'runtime.connectionState', 'xsd:string', 'notResponding');
    await admin.setVm(await vm('DC0_H1_VM0'), 'runtime.connectionState', 'xsd:string', 'disconnected');

    // HA cluster: autostart powerOn for a powered-off VM on a long-up host stays silent.
    await admin.hook(cluster, 'configurationEx.dasConfig.enabled', 'xsd:boolean', 'true');
    const haVm = await vm('DC0_C0_RP0_VM0');
    const haHost = moRef(await admin.property(haVm, 'runtime.host'));
    assert.ok(haHost);
    await admin.hook(haHost, 'runtime.bootTime', 'xsd:dateTime', dateTimeXml(now() - 7200));
    await admin.powerOff(haVm);
    await admin.autostart(haHost, haVm);
    await admin.setVm(await vm('DC0_C0_RP0_VM1'), 'runtime.connectionState', 'xsd:string', 'inaccessible');
    const stale = await vm('DC0_C0_RP0_VM2');
    await admin.snapshot(stale, 'old');
    const snap = moRef(child(children(await admin.property(stale, 'snapshot'), 'rootSnapshotList')[0], 'snapshot'));
    assert.ok(snap);
    await admin.setVm(
      stale,
      'snapshot.rootSnapshotList',
      'ArrayOfVirtualMachineSnapshotTree',
      snapshotTreeXml(stale, snap, 'old', now() - 100 * 3600),
    );
    const deep = await vm('DC0_C0_RP0_VM3');
    for (const name of ['d1', 'd2', 'd3', 'd4']) await admin.snapshot(deep, name);

    // A stray disk nobody attached.
    await admin.makeDirectory('[LocalDS_0] stray');
    await admin.createVirtualDisk('[LocalDS_0] stray/stray.vmdk', 1024);

    exporter = await startExporter([
      `--vsphere.url=${sim.url}`,
      '--no-collector.libvirt',
      '--collector.min-interval=0s',
      '--collector.timeout=20s',
      '--detect.grace=0s',
      '--detect.host-grace=0s',
      '--detect.orphan-min-age=0s',
      '--vsphere.datastore-scan-interval=1h',
      // The raw snapshot: captured as a fixture and read back below.
      '--web.enable-snapshot',
      '--web.snapshot-unredacted',
    ]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await admin?.close();
    await sim?.stop();
    await cleanupSimulatorBuild();
  });

  it('reports exactly the built cases, and nothing for the look-alikes', async () => {
    // The first collection starts the file scan in the background; wait until it is in.
    const samples = await eventually(
      async () => {
        const m = await exporter.metrics();
        return m.some((s) => s.name === 'vmzombie_vsphere_vm_layouts_age_seconds') ? exporter.metrics() : undefined;
      },
      30_000,
      'the first file scan',
    );
    const up = samples.find((s) => s.name === 'vmzombie_collector_up' && s.labels.collector === 'vsphere');
    assert.equal(up?.value, 1, exporter.logs());
    const vcenter = `127.0.0.1:${sim.port}`;
    const findings = samples
      .filter((s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind?.startsWith('vsphere_'))
      .map((s) => `${s.labels.kind} ${s.labels.subject}`)
      .sort();
    assert.deepEqual(findings, [
      'vsphere_autostart_vm_not_running DC0_H0_VM2',
      'vsphere_consolidation_needed DC0_H0_VM3',
      'vsphere_orphan_disk [LocalDS_0] stray/stray.vmdk',
      'vsphere_snapshot_chain_deep DC0_C0_RP0_VM3',
      'vsphere_snapshot_stale DC0_C0_RP0_VM2 / old',
      'vsphere_unregistered_vm_folder [LocalDS_0] DC0_H1_VM3/',
      'vsphere_vm_inaccessible DC0_C0_RP0_VM1',
      'vsphere_vm_on_unreachable_host DC0_H1_VM0',
      'vsphere_vm_orphaned DC0_H0_VM1',
    ]);
    for (const s of samples.filter(
      (x) => x.name === 'vmzombie_finding_age_seconds' && x.labels.kind?.startsWith('vsphere_'),
    )) {
      assert.equal(s.labels.vcenter, vcenter, `${s.labels.kind} carries vcenter`);
    }
    const byKind = (kind: string) =>
      samples.find((s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind === kind)?.labels;
    assert.equal(byKind('vsphere_vm_inaccessible')?.reason, 'inaccessible');
    assert.equal(byKind('vsphere_vm_on_unreachable_host')?.host, 'DC0_H1');
    assert.equal(byKind('vsphere_snapshot_stale')?.snapshot, 'old');
    assert.equal(byKind('vsphere_orphan_disk')?.datastore, 'LocalDS_0');
    const staleAge =
      samples.find((s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind === 'vsphere_snapshot_stale')
        ?.value ?? 0;
    assert.ok(staleAge > 27 * 3600 && staleAge < 29 * 3600, `stale since it crossed 72h, ~28h ago: ${staleAge}`);
    await captureSnapshot(
      'vsphere-simulator',
      await exporter.get('/snapshot.json'),
      ['--no-collector.libvirt', '--detect.grace=0s', '--detect.host-grace=0s', '--detect.orphan-min-age=0s'],
      [
        [sim.url, 'https://vcsim.e2e/sdk'],
        [vcenter, 'vcsim.e2e'],
        [os.tmpdir() + '/govcsim-', '/vmfs/govcsim-'],
      ],
      ['vsphere'],
    );
  });

  it('serves the vsphere series with the vcenter label', async () => {
    const samples = await exporter.metrics();
    const vcenter = `127.0.0.1:${sim.port}`;
    const info = samples.filter((s) => s.name === 'vmzombie_vsphere_vm_info');
    // 4 VMs on each of 2 standalone hosts and in the cluster, one unregistered.
    assert.equal(info.length, 11);
    assert.deepEqual(info.find((s) => s.labels.vm === 'DC0_H1_VM0')?.labels, {
      vcenter,
      vm: 'DC0_H1_VM0',
      host: 'DC0_H1',
      power_state: 'poweredOn',
      connection_state: 'disconnected',
    });
    const ages = samples.filter((s) => s.name === 'vmzombie_vsphere_snapshot_age_seconds');
    assert.equal(ages.length, 3 + 1 + 4);
    const old = ages.find((s) => s.labels.vm === 'DC0_C0_RP0_VM2');
    assert.ok(old && old.value > 99 * 3600 && old.value < 101 * 3600, `back-dated snapshot age ${old?.value}`);
    const scan = samples.filter((s) => s.name === 'vmzombie_vsphere_datastore_scan_age_seconds');
    assert.deepEqual(
      scan.map((s) => s.labels),
      [{ vcenter, datastore: 'LocalDS_0' }],
    );
    assert.equal(samples.find((s) => s.name === 'vmzombie_vsphere_datastore_scan_up')?.value, 1);
    assert.equal(
      samples.find((s) => s.name === 'vmzombie_findings' && s.labels.kind === 'vsphere_vm_orphaned')?.value,
      1,
    );
    assert.equal(
      samples.find((s) => s.name === 'vmzombie_reclaimable_vcpus' && s.labels.kind === 'vsphere_vm_orphaned')?.value,
      1,
    );
    assert.equal(
      samples.find((s) => s.name === 'vmzombie_reclaimable_memory_bytes' && s.labels.kind === 'vsphere_vm_orphaned')
        ?.value,
      32 * 1024 * 1024,
    );
    void text;
  });

  it('a VM name with quotes, &, <, a tab, a newline and non-ASCII comes out intact everywhere', async () => {
    // govmomi writes `"` as &#34;, a tab as &#x9; and a newline as &#xA;: all must be decoded.
    const hostile = 'vm "q" & <b> \\ tab\there\nnext ünï 名';
    const orphan = await admin.find('VirtualMachine', 'DC0_H0_VM1');
    await admin.task('Rename_Task', orphan, `<newName>${escapeXml(hostile)}</newName>`);
    try {
      const samples = await exporter.metrics();
      assert.equal(samples.filter((s) => s.name === 'vmzombie_vsphere_vm_info' && s.labels.vm === hostile).length, 1);
      const finding = samples.find(
        (s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind === 'vsphere_vm_orphaned',
      );
      assert.deepEqual([finding?.labels.subject, finding?.labels.vm], [hostile, hostile]);
      const check = await execa('promtool', ['check', 'metrics'], {
        input: await exporter.get('/metrics'),
        reject: false,
      });
      // prom-client names three of its own gauges *_total; that is its naming, not a format error.
      const problems = `${check.stdout}\n${check.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('nodejs_'));
      assert.deepEqual(problems, [], 'promtool check metrics');
      const json = JSON.parse(await exporter.get('/findings.json')) as {
        findings: Array<{ kind: string; subject: string }>;
      };
      assert.equal(json.findings.find((f) => f.kind === 'vsphere_vm_orphaned')?.subject, hostile);
      const snapshot = await exporter.get('/snapshot.json');
      assert.ok(snapshot.includes(JSON.stringify(hostile)), 'the snapshot holds the decoded name');
      assert.ok(!snapshot.includes('&#'), 'no character reference left in the snapshot');
      const scan = await execa(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli.ts',
          'scan',
          `--vsphere.url=${sim.url}`,
          '--no-collector.libvirt',
          '--no-collector.procfs',
          '--no-collector.sysfs',
          '--no-collector.pools',
          '--output=json',
        ],
        { reject: false },
      );
      // Exit 1 or 2: findings (warnings, or a critical one) were found; 3 would mean it could not collect.
      assert.ok(scan.exitCode === 1 || scan.exitCode === 2, `scan exit ${scan.exitCode}: ${scan.stderr}`);
      const scanned = JSON.parse(scan.stdout) as { findings: Array<{ kind: string; subject: string }> };
      assert.equal(scanned.findings.find((f) => f.kind === 'vsphere_vm_orphaned')?.subject, hostile);
    } finally {
      await admin.task('Rename_Task', orphan, '<newName>DC0_H0_VM1</newName>');
    }
  });

  it('a later file scan sees a VM unregistered after the first one', async () => {
    const again = await startExporter([
      `--vsphere.url=${sim.url}`,
      '--no-collector.libvirt',
      '--no-collector.procfs',
      '--collector.min-interval=0s',
      '--detect.grace=0s',
      '--detect.orphan-min-age=0s',
      '--vsphere.datastore-scan-interval=1s',
    ]);
    try {
      const folders = async () =>
        (await again.metrics())
          .filter(
            (s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind === 'vsphere_unregistered_vm_folder',
          )
          .map((s) => s.labels.subject)
          .sort();
      await eventually(async () => ((await folders()).length === 1 ? true : undefined), 20_000, 'the first scan');
      await admin.unregister(await admin.find('VirtualMachine', 'DC0_H1_VM2'));
      const after = await eventually(
        async () => {
          const f = await folders();
          return f.length === 2 ? f : undefined;
        },
        20_000,
        'a rescan',
      );
      assert.deepEqual(after, ['[LocalDS_0] DC0_H1_VM2/', '[LocalDS_0] DC0_H1_VM3/']);
    } finally {
      await again.stop();
    }
  });
});
