// Tables for vsphere_unregistered_vm_folder and vsphere_orphan_disk: what the file scan found
// against what VMs and templates use.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vsphereUnregisteredVmFolder } from '../../src/detectors/vsphere-unregistered-vm-folder.js';
import { vsphereOrphanDisk } from '../../src/detectors/vsphere-orphan-disk.js';
import type { FileScan } from '../../src/snapshot/vsphere.js';
import { HOUR, NOW, ctx, snapshotOf, summary, vcenter, vm } from './vsphere-fixture.js';

const OLD = NOW - 30 * 24 * HOUR;
const file = (path: string, sizeBytes = 100, modified: number | null = OLD) => ({ path, sizeBytes, modified });

function scan(files: FileScan['datastores'][number]['files'], over: Partial<FileScan> = {}): FileScan {
  return {
    layoutsAt: NOW - 60,
    layoutError: null,
    layouts: [
      {
        vm: 'vm-web',
        files: [
          { name: '[ds1] web/web.vmx', type: 'config', sizeBytes: 1 },
          { name: '[ds1] web/web.vmdk', type: 'diskDescriptor', sizeBytes: 1 },
          { name: '[ds1] web/web-flat.vmdk', type: 'diskExtent', sizeBytes: 9 },
        ],
        snapshotFiles: {},
      },
      {
        vm: 'vm-tpl',
        files: [
          { name: '[ds1] tpl/tpl.vmtx', type: 'config', sizeBytes: 1 },
          { name: '[ds1] tpl/tpl.vmdk', type: 'diskDescriptor', sizeBytes: 1 },
        ],
        snapshotFiles: {},
      },
      // A data disk of web kept in another folder.
      {
        vm: 'vm-web2',
        files: [{ name: '[ds1] shared/data.vmdk', type: 'diskDescriptor', sizeBytes: 1 }],
        snapshotFiles: {},
      },
    ],
    datastores: [{ datastore: 'ds1', scannedAt: NOW - 70, error: null, files }],
    ...over,
  };
}

const VMS = [
  vm('web'),
  vm('tpl', { template: true, vmPathName: '[ds1] tpl/tpl.vmtx' }),
  vm('web2', { vmPathName: '[ds1] web2/web2.vmx' }),
];
const HEALTHY = [
  file('web/web.vmx'),
  file('web/web.vmdk'),
  file('web/web-flat.vmdk', 5000),
  file('web/vmware.log'),
  file('tpl/tpl.vmtx'),
  file('tpl/tpl.vmdk'),
  file('shared/data.vmdk'),
  file('shared/data-flat.vmdk'),
];

describe('vsphere_unregistered_vm_folder', () => {
  it('reports a folder whose .vmx no VM uses, with the space of its unused files', () => {
    const s = snapshotOf(
      vcenter({
        vms: VMS,
        files: scan([
          ...HEALTHY,
          file('old-app/old-app.vmx', 2),
          file('old-app/old-app.vmdk', 1),
          file('old-app/old-app-flat.vmdk', 7000),
        ]),
      }),
    );
    const f = vsphereUnregisteredVmFolder.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_unregistered_vm_folder [ds1] old-app/']);
    assert.deepEqual(f[0]?.labels, { vcenter: 'vc1:443', datastore: 'ds1' });
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 7003 });
    assert.deepEqual(f[0]?.evidence.vmx, ['[ds1] old-app/old-app.vmx']);
    // Its disks are part of the folder, not orphan disks of their own.
    assert.deepEqual(vsphereOrphanDisk.detect(s, ctx()), []);
  });

  it('reports the folder of an unregistered template (.vmtx) too', () => {
    const s = snapshotOf(
      vcenter({ vms: VMS, files: scan([...HEALTHY, file('gold/gold.vmtx'), file('gold/gold.vmdk')]) }),
    );
    assert.deepEqual(summary(vsphereUnregisteredVmFolder.detect(s, ctx())), [
      'vsphere_unregistered_vm_folder [ds1] gold/',
    ]);
  });

  it('stays silent for registered VMs and templates, young folders, failed or missing scans, system folders', () => {
    const leftovers = [file('old-app/old-app.vmx')];
    const cases: Array<[string, ReturnType<typeof snapshotOf>]> = [
      ['healthy', snapshotOf(vcenter({ vms: VMS, files: scan(HEALTHY) }))],
      ['young', snapshotOf(vcenter({ vms: VMS, files: scan([...HEALTHY, file('new/new.vmx', 1, NOW - HOUR)]) }))],
      ['no modification time', snapshotOf(vcenter({ vms: VMS, files: scan([...HEALTHY, file('x/x.vmx', 1, null)]) }))],
      [
        'registered after the scan',
        snapshotOf(vcenter({ vms: [...VMS, vm('old-app')], files: scan([...HEALTHY, ...leftovers]) })),
      ],
      [
        'scan failed this time',
        snapshotOf(
          vcenter({
            vms: VMS,
            files: scan([...HEALTHY, ...leftovers], {
              datastores: [
                { datastore: 'ds1', scannedAt: NOW - 7200, error: 'NoPermission', files: [...HEALTHY, ...leftovers] },
              ],
            }),
          }),
        ),
      ],
      [
        'no layouts yet',
        snapshotOf(vcenter({ vms: VMS, files: scan([...HEALTHY, ...leftovers], { layoutsAt: null }) })),
      ],
      [
        'system folders',
        snapshotOf(
          vcenter({
            vms: VMS,
            files: scan([...HEALTHY, file('.vSphere-HA/x.vmx'), file('contentlib-1/item.vmdk'), file('fcd/disk.vmdk')]),
          }),
        ),
      ],
    ];
    for (const [name, s] of cases) {
      assert.deepEqual(vsphereUnregisteredVmFolder.detect(s, ctx()), [], name);
      assert.deepEqual(vsphereOrphanDisk.detect(s, ctx()), [], name);
    }
  });
});

describe('vsphere_orphan_disk', () => {
  it('reports an unreferenced descriptor with its extents, never the extents alone', () => {
    const s = snapshotOf(
      vcenter({
        vms: VMS,
        files: scan([
          ...HEALTHY,
          file('stray/stray.vmdk', 1),
          file('stray/stray-flat.vmdk', 10_000),
          file('stray/stray-ctk.vmdk', 50),
          file('web/web_1-flat.vmdk', 99),
        ]),
      }),
    );
    const f = vsphereOrphanDisk.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_orphan_disk [ds1] stray/stray.vmdk']);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 10_051 });
    assert.deepEqual(
      f[0]?.evidence.files.map((x) => x.path),
      ['[ds1] stray/stray.vmdk', '[ds1] stray/stray-flat.vmdk', '[ds1] stray/stray-ctk.vmdk'],
    );
  });

  it('reports a detached disk in a registered VM folder, but not in the folder of a VM whose layout is unknown', () => {
    const files = [...HEALTHY, file('web/web_1.vmdk'), file('web2/web2.vmx'), file('web2/extra.vmdk')];
    const s = snapshotOf(vcenter({ vms: VMS, files: scan(files) }));
    assert.deepEqual(summary(vsphereOrphanDisk.detect(s, ctx())), [
      'vsphere_orphan_disk [ds1] web/web_1.vmdk',
      'vsphere_orphan_disk [ds1] web2/extra.vmdk',
    ]);
    const unknown = snapshotOf(
      vcenter({ vms: VMS, files: scan(files, { layouts: scan([]).layouts.filter((l) => l.vm !== 'vm-web') }) }),
    );
    assert.deepEqual(summary(vsphereOrphanDisk.detect(unknown, ctx())), ['vsphere_orphan_disk [ds1] web2/extra.vmdk']);
  });

  it('waits --detect.orphan-min-age after the last change of the descriptor or its extents', () => {
    const files = [...HEALTHY, file('stray/stray.vmdk'), file('stray/stray-flat.vmdk', 10, NOW - 2 * HOUR)];
    const s = snapshotOf(vcenter({ vms: VMS, files: scan(files) }));
    assert.deepEqual(vsphereOrphanDisk.detect(s, ctx()), []);
    assert.deepEqual(summary(vsphereOrphanDisk.detect(s, ctx({ 'detect.orphan-min-age': HOUR }))), [
      'vsphere_orphan_disk [ds1] stray/stray.vmdk',
    ]);
  });
});
