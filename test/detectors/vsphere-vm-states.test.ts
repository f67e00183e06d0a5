// Tables for the VM-state kinds: vsphere_vm_orphaned, vsphere_vm_inaccessible,
// vsphere_vm_on_unreachable_host, vsphere_consolidation_needed.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vsphereVmOrphaned } from '../../src/detectors/vsphere-vm-orphaned.js';
import { vsphereVmInaccessible } from '../../src/detectors/vsphere-vm-inaccessible.js';
import { vsphereVmOnUnreachableHost } from '../../src/detectors/vsphere-vm-on-unreachable-host.js';
import { vsphereConsolidationNeeded } from '../../src/detectors/vsphere-consolidation-needed.js';
import { ctx, host, snapshotOf, summary, vcenter, vm } from './vsphere-fixture.js';

describe('vsphere_vm_orphaned', () => {
  it('reports an orphaned VM with its vCPUs and memory, not a connected or disconnected one', () => {
    const s = snapshotOf(
      vcenter({
        vms: [
          vm('ok'),
          vm('gone', { connectionState: 'orphaned' }),
          vm('lost-host', { connectionState: 'disconnected' }),
        ],
      }),
    );
    const f = vsphereVmOrphaned.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_vm_orphaned gone']);
    assert.deepEqual(f[0]?.labels, { vcenter: 'vc1:443', vm: 'gone' });
    assert.deepEqual(f[0]?.reclaimable, { vcpus: 2, memoryBytes: 4 * 1024 ** 3 });
    assert.equal(f[0]?.evidence.host, 'esx-host-1');
  });

  it('keeps VMs of the same name in two vCenters apart', () => {
    const s = snapshotOf(
      vcenter({ vms: [vm('db', { connectionState: 'orphaned' })] }),
      vcenter({ vcenter: 'vc2:443', vms: [vm('db', { connectionState: 'orphaned' })] }),
    );
    assert.deepEqual(summary(vsphereVmOrphaned.detect(s, ctx())), [
      'vsphere_vm_orphaned db (vc1:443/vm-db)',
      'vsphere_vm_orphaned db (vc2:443/vm-db)',
    ]);
  });
});

describe('vsphere_vm_inaccessible', () => {
  it('reports inaccessible and invalid with the reason, not orphaned or connected', () => {
    const s = snapshotOf(
      vcenter({
        vms: [
          vm('a', { connectionState: 'inaccessible' }),
          vm('b', { connectionState: 'invalid' }),
          vm('c', { connectionState: 'orphaned' }),
          vm('d'),
        ],
      }),
    );
    const f = vsphereVmInaccessible.detect(s, ctx());
    assert.deepEqual(
      f.map((x) => [x.subject, x.labels.reason]),
      [
        ['a', 'inaccessible'],
        ['b', 'invalid'],
      ],
    );
  });
});

describe('vsphere_vm_on_unreachable_host', () => {
  const hosts = [
    host('host-1'),
    host('host-2', { connectionState: 'notResponding' }),
    host('host-3', { connectionState: 'disconnected' }),
  ];
  it('reports powered-on VMs on unreachable hosts; off VMs there and VMs on connected hosts stay silent', () => {
    const s = snapshotOf(
      vcenter({
        hosts,
        vms: [
          vm('fine', { host: 'host-1' }),
          vm('ghost', { host: 'host-2', connectionState: 'disconnected' }),
          vm('off', { host: 'host-2', powerState: 'poweredOff' }),
          vm('maint', { host: 'host-3' }),
          vm('nohost', { host: null }),
        ],
      }),
    );
    const f = vsphereVmOnUnreachableHost.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_vm_on_unreachable_host ghost', 'vsphere_vm_on_unreachable_host maint']);
    assert.deepEqual(f.find((x) => x.subject === 'ghost')?.labels, {
      vcenter: 'vc1:443',
      vm: 'ghost',
      host: 'esx-host-2',
    });
    assert.equal(f.find((x) => x.subject === 'ghost')?.evidence.hostConnectionState, 'notResponding');
  });
});

describe('vsphere_consolidation_needed', () => {
  it('reports consolidationNeeded true only (false and unknown stay silent)', () => {
    const s = snapshotOf(
      vcenter({
        vms: [
          vm('a', { consolidationNeeded: true }),
          vm('b', { consolidationNeeded: false }),
          vm('c', { consolidationNeeded: null }),
        ],
      }),
    );
    assert.deepEqual(summary(vsphereConsolidationNeeded.detect(s, ctx())), ['vsphere_consolidation_needed a']);
  });
});

describe('vsphere_vm_on_unreachable_host through the findings state', () => {
  it('stays pending for --detect.host-grace (5m by default), then is reported', async () => {
    const { FindingsState } = await import('../../src/engine/findings-state.js');
    const { defaultConfig } = await import('../../src/flags.js');
    const state = new FindingsState(defaultConfig());
    const at = (t: number) => ({
      ...snapshotOf(vcenter({ hosts: [host('host-1', { connectionState: 'notResponding' })], vms: [vm('ghost')] })),
      takenAt: t,
    });
    const pending = (t: number) =>
      state
        .evaluate(at(t))
        .findings.filter((f) => f.kind === 'vsphere_vm_on_unreachable_host')
        .map((f) => f.pending);
    assert.deepEqual(pending(1000), [true]);
    assert.deepEqual(pending(1000 + 299), [true]);
    assert.deepEqual(pending(1000 + 300), [false]);
  });
});
