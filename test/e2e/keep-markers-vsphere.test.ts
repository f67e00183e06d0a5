// Keep markers as a vSphere custom attribute (`vmzombie.keep`, value `reason; by=…; until=…`), set through
// CustomFieldsManager on govmomi's simulator and read with the inventory's property collector: a marked VM
// powered off is acknowledged, an expired marker pages again, one without who is reported and hides nothing;
// a VM's folder below the datacenter's VM folder is its owner.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { startSimulator, simulatorUnavailable, cleanupSimulatorBuild, type Simulator } from '../vsphere/simulator.js';
import { VsphereAdmin } from '../vsphere/admin.js';
import { skipWithout } from '../support/components.js';
import { VsphereReader } from '../../src/sources/vsphere/vsphere-source.js';
import { KEEP_ATTRIBUTE } from '../../src/sources/vsphere/parse-inventory.js';
import { moRef } from '../../src/sources/vsphere/xml.js';
import { replay } from '../../src/engine/engine.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../../src/snapshot/snapshot.js';
import { silentLogger } from '../../src/util/log.js';

const unavailable = skipWithout("govmomi's vSphere simulator", await simulatorUnavailable());
const config = parseArgs(
  ['--detect.grace=0s', '--detect.vsphere-powered-off-max-age=0s'],
  SOURCES.map((s) => s.name),
).config;

describe.skipIf(unavailable)('keep markers as vSphere custom attributes, simulator', { timeout: 180_000 }, () => {
  let sim: Simulator;
  let admin: VsphereAdmin;
  let reader: VsphereReader;

  beforeAll(async () => {
    sim = await startSimulator({ vms: 4, hosts: 2 });
    admin = new VsphereAdmin(sim.url);
    reader = new VsphereReader(
      {
        urls: [sim.url],
        username: '',
        passwordFile: '',
        caFile: '',
        insecureSkipVerify: true,
        scanIntervalSeconds: 3600,
        scanTimeoutSeconds: 20,
        excludeDatastores: [],
        maxEvents: 1000,
        knownOwners: [],
      },
      silentLogger,
    );
  });

  afterAll(async () => {
    await reader?.close();
    await admin?.close();
    await sim?.stop();
    await cleanupSimulatorBuild();
  });

  it('acknowledges a marked VM, pages again past until, reports a marker without who; the folder owns it', async () => {
    const vm = (name: string) => admin.find('VirtualMachine', name);
    const key = await admin.addCustomField(KEEP_ATTRIBUTE);
    const other = await admin.addCustomField('owner-notes');
    const marks: Record<string, string> = {
      DC0_C0_RP0_VM0: 'cold spare for DR; by=alice; until=2099-12-31',
      DC0_C0_RP0_VM1: 'was a cold spare; by=alice; until=2020-01-01',
      DC0_H0_VM0: 'nobody signed this',
    };
    for (const name of [...Object.keys(marks), 'DC0_H0_VM1']) {
      const ref = await vm(name);
      await admin.powerOff(ref);
      if (marks[name]) await admin.setField(ref, key, marks[name]);
    }
    // Another attribute is not a marker.
    await admin.setField(await vm('DC0_H0_VM1'), other, 'keep me; by=nobody');
    // The owner: a team folder below the datacenter's VM folder.
    const vmFolder = moRef(await admin.property(await admin.datacenter(), 'vmFolder'));
    const finance = await admin.createFolder(vmFolder!, 'finance');
    const prod = await admin.createFolder(finance, 'prod');
    await admin.moveIntoFolder(prod, await vm('DC0_C0_RP0_VM0'));

    const section = await reader.read(AbortSignal.timeout(30_000));
    assert.deepEqual(section.problems, []);
    assert.notEqual(section.vcenters[0]?.files.layoutsAt, null, 'the first file scan finished');
    // Judged a while later: the powered-off age knob is 0s and the power-off happened just now.
    const now = Math.floor(Date.now() / 1000) + 120;
    const { detection } = replay(config, {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      hostname: 'exporter',
      takenAt: now,
      collectors: { vsphere: { state: 'ok', reason: null, durationSeconds: 0, lastSuccessSeconds: now, stale: false } },
      vsphere: section,
    });
    const off = detection.findings.filter((f) => f.kind === 'vsphere_vm_powered_off_long');
    const vmOf = (f: { labels: object }) => (f.labels as Record<string, string>).vm ?? '';
    assert.deepEqual(Object.fromEntries(off.map((f) => [vmOf(f), f.acknowledged?.reason ?? null])), {
      DC0_C0_RP0_VM0: 'cold spare for DR',
      DC0_C0_RP0_VM1: null,
      DC0_H0_VM0: null,
      DC0_H0_VM1: null,
    });
    const kept = off.find((f) => vmOf(f) === 'DC0_C0_RP0_VM0')!;
    assert.equal(kept.acknowledged?.who, 'alice');
    assert.match(
      kept.acknowledged?.origin ?? '',
      /^custom attribute vmzombie\.keep of VM DC0_C0_RP0_VM0 on 127\.0\.0\.1:/,
    );
    assert.deepEqual(kept.owner, { label: 'vsphere:finance/prod', detail: 'folder finance/prod' });
    assert.deepEqual(
      detection.keep!.expired.map((m) => m.reason),
      ['was a cold spare'],
    );
    assert.equal(detection.keep!.problems.length, 1);
    assert.match(
      detection.keep!.problems[0]!,
      /vmzombie\.keep of VM DC0_H0_VM0 .*: no who \(by\); it acknowledges nothing/,
    );

    // Renewing the marker takes effect at the next collection.
    await admin.setField(await vm('DC0_C0_RP0_VM1'), key, 'cold spare until the DR test; by=alice; until=2099-06-30');
    const again = await reader.read(AbortSignal.timeout(30_000));
    const renewed = replay(config, {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      hostname: 'exporter',
      takenAt: now,
      collectors: { vsphere: { state: 'ok', reason: null, durationSeconds: 0, lastSuccessSeconds: now, stale: false } },
      vsphere: again,
    }).detection.findings.find((f) => f.kind === 'vsphere_vm_powered_off_long' && vmOf(f) === 'DC0_C0_RP0_VM1');
    assert.equal(renewed?.acknowledged?.reason, 'cold spare until the DR test');
  });
});
