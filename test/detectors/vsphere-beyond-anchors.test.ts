// Tables for vsphere_phantom_snapshot, vsphere_vm_powered_off_long, vsphere_orphan_fcd and
// vsphere_vm_folder_leftover, each beside the healthy look-alike that must stay silent, and the known
// owners and removal events they share.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vspherePhantomSnapshot } from '../../src/detectors/vsphere-phantom-snapshot.js';
import { vsphereVmPoweredOffLong } from '../../src/detectors/vsphere-vm-powered-off-long.js';
import { vsphereOrphanFcd } from '../../src/detectors/vsphere-orphan-fcd.js';
import { vsphereVmFolderLeftover } from '../../src/detectors/vsphere-vm-folder-leftover.js';
import { vsphereUnregisteredVmFolder } from '../../src/detectors/vsphere-unregistered-vm-folder.js';
import { vsphereOrphanDisk } from '../../src/detectors/vsphere-orphan-disk.js';
import type { FileScan, VmLayout } from '../../src/snapshot/vsphere.js';
import { HOUR, NOW, ctx, snapshotOf, summary, vcenter, vm } from './vsphere-fixture.js';

const DAY = 24 * HOUR;
const OLD = NOW - 30 * DAY;
const file = (path: string, sizeBytes = 100, modified: number | null = OLD) => ({ path, sizeBytes, modified });
const lf = (name: string, sizeBytes = 10, type = 'diskDescriptor') => ({ name, type, sizeBytes });

function scan(layouts: VmLayout[], files: FileScan['datastores'][number]['files'], over: Partial<FileScan> = {}) {
  return {
    layoutsAt: NOW - 60,
    layoutError: null,
    layouts,
    datastores: [{ datastore: 'ds1', scannedAt: NOW - 70, error: null, files }],
    ...over,
  } satisfies FileScan;
}

describe('vsphere_phantom_snapshot', () => {
  const base = (name: string, chain: string[], extra: VmLayout['files'] = []): VmLayout => ({
    vm: `vm-${name}`,
    files: [lf(`[ds1] ${name}/${name}.vmx`, 1, 'config'), ...chain.map((n) => lf(n, 1000)), ...extra],
    snapshotFiles: {},
    diskChains: [chain],
  });

  it('reports a VM with no snapshot whose disk runs on a delta in its folder, with the delta bytes', () => {
    const layout = base(
      'db',
      ['[ds1] db/db.vmdk', '[ds1] db/db-000001.vmdk'],
      [lf('[ds1] db/db-000001-delta.vmdk', 5000)],
    );
    const s = snapshotOf(vcenter({ vms: [vm('db')], files: scan([layout], []) }));
    const f = vspherePhantomSnapshot.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_phantom_snapshot db']);
    assert.deepEqual(f[0]?.evidence.runningOnDeltas, ['[ds1] db/db-000001.vmdk']);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 1000 + 5000 });
  });

  it('is silent for a VM with a real snapshot, and for a linked clone on a base in another folder', () => {
    const snapped = base('db', ['[ds1] db/db.vmdk', '[ds1] db/db-000001.vmdk']);
    const clone = base('clone', ['[ds1] golden/golden.vmdk', '[ds1] clone/clone-000001.vmdk']);
    const s = snapshotOf(
      vcenter({
        vms: [
          vm('db', {
            snapshots: [{ moid: 'snapshot-1', name: 'before', createTime: NOW - HOUR, depth: 1, parent: null }],
          }),
          vm('clone'),
        ],
        files: scan([snapped, clone], []),
      }),
    );
    assert.deepEqual(vspherePhantomSnapshot.detect(s, ctx()), []);
  });

  it('reports deltas in a VM folder that no snapshot or disk uses, and does not call them orphan disks', () => {
    const layout = base('app', ['[ds1] app/app.vmdk']);
    const files = [
      file('app/app.vmx'),
      file('app/app.vmdk'),
      file('app/app-000003.vmdk', 300),
      file('app/app-000003-sesparse.vmdk', 7000),
    ];
    const s = snapshotOf(vcenter({ vms: [vm('app')], files: scan([layout], files) }));
    const f = vspherePhantomSnapshot.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_phantom_snapshot app']);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 7300 });
    assert.deepEqual(f[0]?.evidence.runningOnDeltas, []);
    assert.deepEqual(vsphereOrphanDisk.detect(s, ctx()), []);
  });

  it('keeps a fresh stray delta (a snapshot being taken) silent until the orphan age', () => {
    const layout = base('app', ['[ds1] app/app.vmdk']);
    const files = [file('app/app.vmx'), file('app/app-000001.vmdk', 300, NOW - 60)];
    const s = snapshotOf(vcenter({ vms: [vm('app')], files: scan([layout], files) }));
    assert.deepEqual(vspherePhantomSnapshot.detect(s, ctx()), []);
  });
});

describe('vsphere_vm_powered_off_long', () => {
  const layouts: VmLayout[] = [
    {
      vm: 'vm-old',
      files: [lf('[ds1] old/old.vmdk', 10), lf('[ds1] old/old-flat.vmdk', 9000, 'diskExtent')],
      snapshotFiles: {},
    },
  ];
  const off = (name: string, over = {}) =>
    vm(name, { powerState: 'poweredOff', vmPathName: `[ds1] ${name}/${name}.vmx`, ...over });
  const ev = (moid: string, time: number) => ({
    type: 'VmPoweredOffEvent',
    time,
    user: 'VSPHERE.LOCAL\\alice',
    vm: moid.slice(3),
    vmMoid: moid,
  });

  it('reports a VM powered off longer than the max age by its event, with who and its disk bytes', () => {
    const s = snapshotOf(
      vcenter({ vms: [off('old')], files: scan(layouts, [], { events: [ev('vm-old', NOW - 40 * DAY)] }) }),
    );
    const f = vsphereVmPoweredOffLong.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_vm_powered_off_long old']);
    assert.equal(f[0]?.evidence.poweredOffFrom, 'event');
    assert.equal(f[0]?.evidence.user, 'VSPHERE.LOCAL\\alice');
    assert.equal(f[0]?.since, NOW - 40 * DAY + 30 * DAY);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 9010 });
  });

  it('falls back to the newest file time when vCenter no longer holds the event, and says so', () => {
    const s = snapshotOf(
      vcenter({ vms: [off('old')], files: scan(layouts, [file('old/vmware.log', 1, NOW - 45 * DAY)], { events: [] }) }),
    );
    const f = vsphereVmPoweredOffLong.detect(s, ctx());
    assert.equal(f[0]?.evidence.poweredOffFrom, 'files');
    assert.equal(f[0]?.evidence.poweredOffAt, new Date((NOW - 45 * DAY) * 1000).toISOString());
  });

  it('is silent for a recent power-off, a template, SRM placeholder, vCLS, Horizon replica, powered-on VM', () => {
    const recent = off('recent');
    const events = [
      ev('vm-recent', NOW - 2 * DAY),
      ...['tpl', 'srm', 'vCLS-1', 'cp-replica-1', 'web-1'].map((n) => ev(`vm-${n}`, NOW - 90 * DAY)),
    ];
    const s = snapshotOf(
      vcenter({
        vms: [
          recent,
          off('tpl', { template: true }),
          off('srm', { managedBy: { extensionKey: 'com.vmware.vcDr', type: 'placeholderVm' } }),
          off('vCLS-1'),
          off('cp-replica-1'),
          vm('web-1'),
        ],
        files: scan([], [], { events }),
      }),
    );
    assert.deepEqual(vsphereVmPoweredOffLong.detect(s, ctx()), []);
  });

  it('reports a known owner once the operator turns the defaults off', () => {
    const s = snapshotOf(
      vcenter({ vms: [off('cp-replica-1')], files: scan([], [], { events: [ev('vm-cp-replica-1', NOW - 90 * DAY)] }) }),
    );
    s.vsphere = { ...s.vsphere!, knownOwners: [] };
    assert.deepEqual(summary(vsphereVmPoweredOffLong.detect(s, ctx())), ['vsphere_vm_powered_off_long cp-replica-1']);
  });
});

describe('vsphere_orphan_fcd', () => {
  const fcd = (id: string, over = {}) => ({
    id,
    name: `pvc-${id}`,
    datastore: 'ds1',
    filePath: `[ds1] fcd/${id}.vmdk`,
    capacityBytes: 1024 ** 3,
    createTime: OLD,
    ...over,
  });
  it('reports an FCD no VM uses, with its id as a label for the cluster join', () => {
    const layouts: VmLayout[] = [{ vm: 'vm-web-1', files: [lf('[ds1] fcd/attached.vmdk')], snapshotFiles: {} }];
    const s = snapshotOf(
      vcenter({
        files: scan(layouts, [file('fcd/lost.vmdk', 500), file('fcd/lost-flat.vmdk', 4000)], {
          fcds: [fcd('lost'), fcd('attached'), fcd('fresh', { createTime: NOW - 60 })],
        }),
      }),
    );
    const f = vsphereOrphanFcd.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_orphan_fcd pvc-lost (lost)']);
    assert.deepEqual(f[0]?.labels, { vcenter: 'vc1:443', datastore: 'ds1', fcd_id: 'lost' });
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 4500 });
  });
  it('falls back to the capacity when the listing has no size for it', () => {
    const s = snapshotOf(vcenter({ files: scan([], [], { fcds: [fcd('thick')] }) }));
    assert.deepEqual(vsphereOrphanFcd.detect(s, ctx())[0]?.reclaimable, { diskBytes: 1024 ** 3 });
  });
});

describe('vsphere_vm_folder_leftover', () => {
  const removed = {
    type: 'VmRemovedEvent',
    time: NOW - 20 * DAY,
    user: 'VSPHERE.LOCAL\\bob',
    vm: 'gone',
    vmMoid: 'vm-77',
  };
  it('reports a folder with only locks, logs, an ISO and an empty descriptor, with who removed the VM', () => {
    const files = [
      file('gone/.lck-0001', 0),
      file('gone/vmware.log', 400),
      file('gone/install.iso', 600000),
      file('gone/gone.vmdk', 0),
    ];
    const s = snapshotOf(vcenter({ vms: [], files: scan([], files, { events: [removed] }) }));
    const f = vsphereVmFolderLeftover.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_vm_folder_leftover [ds1] gone/']);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 600400 });
    assert.deepEqual(f[0]?.evidence.removed, {
      user: 'VSPHERE.LOCAL\\bob',
      time: new Date((NOW - 20 * DAY) * 1000).toISOString(),
      vm: 'gone',
    });
    // Neither an unregistered VM folder (no .vmx) nor an orphan disk (its descriptor is the leftover).
    assert.deepEqual(vsphereUnregisteredVmFolder.detect(s, ctx()), []);
    assert.deepEqual(vsphereOrphanDisk.detect(s, ctx()), []);
  });

  it('is silent for a folder with a real disk, a registered VM home, a known owner path, and a fresh folder', () => {
    const files = [
      file('data/data.vmdk', 500),
      file('data/data-flat.vmdk', 9000),
      file('web-1/vmware.log'),
      file('web-1/.lck-1'),
      file('cloudvolumes/writable/vmware.log'),
      file('new/.lck-1', 0, NOW - 60),
    ];
    const s = snapshotOf(vcenter({ files: scan([], files) }));
    assert.deepEqual(vsphereVmFolderLeftover.detect(s, ctx()), []);
  });

  it('names who removed the VM on an unregistered VM folder too', () => {
    const files = [file('gone/gone.vmx'), file('gone/gone.vmdk'), file('gone/gone-flat.vmdk', 9)];
    const s = snapshotOf(vcenter({ vms: [], files: scan([], files, { events: [removed] }) }));
    assert.equal(vsphereUnregisteredVmFolder.detect(s, ctx())[0]?.evidence.removed?.user, 'VSPHERE.LOCAL\\bob');
  });
});
