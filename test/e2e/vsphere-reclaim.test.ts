// End to end on govmomi's simulator for the kinds past the anchors: a VM running on a delta no
// snapshot names, a stray delta in a VM folder, VMs powered off (with the ones that must stay silent:
// an SRM placeholder through config.managedBy, a vCLS VM), a First-Class Disk from the storage-object
// manager, and folders left by a removal (with who removed the VM, from vCenter's VmRemovedEvent).
// Not buildable on vcsim 0.24.2, so covered by the detector tables instead: an FCD attached to a VM (no
// AttachDisk_Task), a linked clone (no child disk backing on clone), an event older than now (PostEvent
// stamps the wall clock; the age knob is set to 0s here instead).
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, simulatorUnavailable, cleanupSimulatorBuild, type Simulator } from '../vsphere/simulator.js';
import { VsphereAdmin } from '../vsphere/admin.js';
import { startExporter, eventually, type ExporterProcess } from '../vsphere/exporter-process.js';
import { text } from '../../src/sources/vsphere/xml.js';
import { skipWithout } from '../support/components.js';

const unavailable = skipWithout("govmomi's vSphere simulator", await simulatorUnavailable());

interface JsonFinding {
  kind: string;
  subject: string;
  labels: Record<string, string>;
  evidence: Record<string, unknown>;
}

describe.skipIf(unavailable)('vsphere reclaim kinds on the simulator', { timeout: 180_000 }, () => {
  let sim: Simulator;
  let admin: VsphereAdmin;
  let exporter: ExporterProcess;

  beforeAll(async () => {
    sim = await startSimulator({ vms: 4, hosts: 2 });
    admin = new VsphereAdmin(sim.url);
    const vm = (name: string) => admin.find('VirtualMachine', name);
    const ds = await admin.find('Datastore', 'LocalDS_0');
    const root = text(await admin.property(ds, 'info.url'));

    // Phantom: DC0_H0_VM0 runs on a delta with no snapshot; DC0_H0_VM2 holds a stray delta in its folder.
    await admin.runOnDelta(await vm('DC0_H0_VM0'));
    const strayVm = await vm('DC0_H0_VM2');
    const strayHome = text(await admin.property(strayVm, 'config.files.vmPathName')).replace(/[^/]*$/, '');
    await admin.createVirtualDisk(`${strayHome}disk1-000002.vmdk`, 1024);
    // Look-alike: a real snapshot (the simulator keeps the disk on its base file).
    await admin.snapshot(await vm('DC0_H0_VM1'), 'before-upgrade');

    // Powered off: a plain VM (reported with the knob at 0s), an SRM placeholder and a vCLS VM (silent).
    await admin.powerOff(await vm('DC0_C0_RP0_VM0'));
    const placeholder = await vm('DC0_C0_RP0_VM1');
    await admin.powerOff(placeholder);
    await admin.setManagedBy(placeholder, 'com.vmware.vcDr', 'placeholderVm');
    const vcls = await vm('DC0_C0_RP0_VM2');
    await admin.task('Rename_Task', vcls, '<newName>vCLS-4a1b</newName>');
    await admin.powerOff(vcls);

    // An FCD attached to nothing.
    await admin.createFcd('pvc-orphan', ds, 16);

    // Removed VMs: DC0_H1_VM0's folder keeps its .vmx (unregistered folder); DC0_H1_VM1's folder is
    // emptied of everything but what a destroy leaves (locks, log, ISO).
    for (const name of ['DC0_H1_VM0', 'DC0_H1_VM1']) {
      const v = await vm(name);
      await admin.powerOff(v);
      await admin.unregister(v);
    }
    const gone = path.join(root, 'DC0_H1_VM1');
    for (const f of await readdir(gone)) await rm(path.join(gone, f), { recursive: true });
    await writeFile(path.join(gone, '.lck-00000000000a1b2c'), '');
    await writeFile(path.join(gone, 'vmware.log'), 'log\n');
    await writeFile(path.join(gone, 'install.iso'), Buffer.alloc(4096));
    // Look-alike: the same leftovers under an App Volumes folder (a known owner).
    await mkdir(path.join(root, 'cloudvolumes', 'writable'), { recursive: true });
    await writeFile(path.join(root, 'cloudvolumes', 'writable', 'vmware.log'), 'log\n');

    exporter = await startExporter([
      `--vsphere.url=${sim.url}`,
      '--no-collector.libvirt',
      '--collector.min-interval=0s',
      '--collector.timeout=20s',
      '--detect.grace=0s',
      '--detect.orphan-min-age=0s',
      '--detect.vsphere-powered-off-max-age=0s',
      '--vsphere.datastore-scan-interval=1h',
    ]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await admin?.close();
    await sim?.stop();
    await cleanupSimulatorBuild();
  });

  it('reports the built cases with evidence, and nothing for the look-alikes', async () => {
    const findings = await eventually(
      async () => {
        const json = JSON.parse(await exporter.get('/findings.json')) as { findings: JsonFinding[] };
        const f = json.findings.filter((x) => x.kind.startsWith('vsphere_'));
        return f.some((x) => x.kind === 'vsphere_orphan_fcd') ? f : undefined;
      },
      60_000,
      'the first file scan',
    );
    const of = (kind: string) => findings.filter((f) => f.kind === kind);
    assert.deepEqual(
      findings
        .filter((f) =>
          [
            'vsphere_phantom_snapshot',
            'vsphere_vm_powered_off_long',
            'vsphere_orphan_fcd',
            'vsphere_vm_folder_leftover',
            'vsphere_unregistered_vm_folder',
            'vsphere_orphan_disk',
          ].includes(f.kind),
        )
        .map((f) => `${f.kind} ${f.kind === 'vsphere_orphan_fcd' ? f.labels.fcd_id?.length : f.subject}`)
        .sort(),
      [
        'vsphere_orphan_fcd 36',
        'vsphere_phantom_snapshot DC0_H0_VM0',
        'vsphere_phantom_snapshot DC0_H0_VM2',
        'vsphere_unregistered_vm_folder [LocalDS_0] DC0_H1_VM0/',
        'vsphere_vm_folder_leftover [LocalDS_0] DC0_H1_VM1/',
        'vsphere_vm_powered_off_long DC0_C0_RP0_VM0',
      ],
      exporter.logs(),
    );
    const strayFolder = '[LocalDS_0] DC0_H0_VM2/';
    const [running, stray] = of('vsphere_phantom_snapshot').sort((a, b) => a.subject.localeCompare(b.subject));
    assert.deepEqual(running?.evidence.runningOnDeltas, ['[LocalDS_0] DC0_H0_VM0/disk1-000001.vmdk']);
    assert.deepEqual(
      (stray?.evidence.unreferencedDeltas as Array<{ path: string }>).map((d) => d.path),
      [`${strayFolder}disk1-000002.vmdk`],
    );
    const off = of('vsphere_vm_powered_off_long')[0]?.evidence;
    assert.equal(off?.poweredOffFrom, 'event');
    const fcd = of('vsphere_orphan_fcd')[0];
    assert.equal(fcd?.evidence.name, 'pvc-orphan');
    assert.equal(fcd?.evidence.filePath, `[LocalDS_0] fcd/${fcd?.labels.fcd_id}.vmdk`);
    const removed = (kind: string) => of(kind)[0]?.evidence.removed as { user: string; vm: string } | null;
    assert.equal(removed('vsphere_vm_folder_leftover')?.vm, 'DC0_H1_VM1');
    assert.equal(removed('vsphere_unregistered_vm_folder')?.vm, 'DC0_H1_VM0');
    assert.ok(removed('vsphere_vm_folder_leftover')?.user, 'the removing user is named');
  });

  it('exports the FCD id as a label for the cluster join', async () => {
    const samples = await exporter.metrics();
    const s = samples.find((x) => x.name === 'vmzombie_finding_age_seconds' && x.labels.kind === 'vsphere_orphan_fcd');
    assert.match(s?.labels.fcd_id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(s?.labels.datastore, 'LocalDS_0');
  });
});
