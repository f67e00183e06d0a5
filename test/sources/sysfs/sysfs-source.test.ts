import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSysfs } from '../../../src/sources/sysfs/sysfs-source.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import type { SysfsSection } from '../../../src/snapshot/sysfs.js';
import { SysfsTree } from '../../support/sysfs-tree.js';

describe('sysfs source on a kernel-shaped fixture tree', () => {
  let tree: SysfsTree;
  let section: SysfsSection;

  beforeAll(async () => {
    tree = await SysfsTree.create();
    // GPU + its HDMI audio function in one IOMMU group, both on vfio-pci, no domain.
    await tree.pci({
      address: '0000:01:00.0',
      vendor: '0x10de',
      device: '0x1eb8',
      class: '0x030200',
      driver: 'vfio-pci',
      driverOverride: 'vfio-pci',
      iommuGroup: '12',
      numaNode: 0,
      vfioDev: 'vfio0',
    });
    await tree.pci({
      address: '0000:01:00.1',
      vendor: '0x10de',
      device: '0x10f8',
      class: '0x040300',
      driver: 'vfio-pci',
      iommuGroup: '12',
      numaNode: 0,
    });
    // GPU on its native driver.
    await tree.pci({
      address: '0000:02:00.0',
      vendor: '0x10de',
      device: '0x2236',
      class: '0x030000',
      driver: 'nvidia',
      iommuGroup: '13',
    });
    // Unbound bridge without IOMMU.
    await tree.pci({ address: '0000:00:00.0', vendor: '0x8086', device: '0x0d57', class: '0x060000' });
    await tree.pci({
      address: '0000:00:02.0',
      vendor: '0x8086',
      device: '0x3e92',
      class: '0x030000',
      driver: 'i915',
      iommuGroup: '2',
    });
    await tree.mdev('0000:00:02.0', 'A3B0B1C6-0C1F-4E38-9E3A-6C1C7E0B8E01', 'i915-GVTg_V5_4', '20');
    await tree.hugepages(2048, { nr: 512, free: 256, resv: 16 }, [
      { node: 0, nr: 300, free: 100 },
      { node: 1, nr: 212, free: 156 },
    ]);
    await tree.hugepages(1048576, { nr: 0, free: 0, resv: 0 });
    await tree.net('eth0', { ifindex: 2, physical: true });
    await tree.net('vnet3', { ifindex: 9, tunFlags: 0x1002, mac: 'fe:54:00:aa:bb:cc' });
    await tree.net('tun0', { ifindex: 10, tunFlags: 0x1001 });
    await tree.net('macvtap0', { ifindex: 11, macvtap: true });
    section = await readSysfs(tree.root);
  });
  afterAll(() => tree.remove());

  it('reads every PCI device with driver, override, group, NUMA node and vfio cdev', () => {
    assert.deepEqual(
      section.pciDevices.map((d) => d.address),
      ['0000:00:00.0', '0000:00:02.0', '0000:01:00.0', '0000:01:00.1', '0000:02:00.0'],
    );
    assert.deepEqual(
      section.pciDevices.find((d) => d.address === '0000:01:00.0'),
      {
        address: '0000:01:00.0',
        vendor: '0x10de',
        device: '0x1eb8',
        class: '0x030200',
        driver: 'vfio-pci',
        driverOverride: 'vfio-pci',
        iommuGroup: '12',
        numaNode: 0,
        vfioDev: 'vfio0',
      },
    );
    const bridge = section.pciDevices.find((d) => d.address === '0000:00:00.0');
    assert.equal(bridge?.driver, null);
    assert.equal(bridge?.iommuGroup, null);
    assert.equal(bridge?.numaNode, null, 'numa_node -1 means no node');
    assert.equal(bridge?.driverOverride, null, '"(null)" means no override');
    assert.equal(section.pciDevices.find((d) => d.address === '0000:02:00.0')?.driver, 'nvidia');
  });

  it('lists IOMMU groups with their devices', () => {
    assert.deepEqual(
      section.iommuGroups.find((g) => g.group === '12'),
      { group: '12', devices: ['0000:01:00.0', '0000:01:00.1'] },
    );
    assert.deepEqual(section.iommuGroups.find((g) => g.group === '20')?.devices, [
      'A3B0B1C6-0C1F-4E38-9E3A-6C1C7E0B8E01',
    ]);
  });

  it('reads mdevs with parent, type and group', () => {
    assert.deepEqual(section.mdevs, [
      {
        uuid: 'a3b0b1c6-0c1f-4e38-9e3a-6c1c7e0b8e01',
        parent: '0000:00:02.0',
        type: 'i915-GVTg_V5_4',
        iommuGroup: '20',
      },
    ]);
  });

  it('reads hugepage pools globally and per NUMA node', () => {
    assert.deepEqual(section.hugepages, [
      {
        pageSizeBytes: 2 * 1024 ** 2,
        total: { nr: 512, free: 256, resv: 16, surplus: 0 },
        nodes: [
          { node: 0, nr: 300, free: 100, resv: null, surplus: 0 },
          { node: 1, nr: 212, free: 156, resv: null, surplus: 0 },
        ],
      },
      { pageSizeBytes: 1024 ** 3, total: { nr: 0, free: 0, resv: 0, surplus: 0 }, nodes: [] },
    ]);
  });

  it('keeps only tun/tap/macvtap interfaces, told apart by tun_flags and the macvtap directory', () => {
    assert.deepEqual(
      section.taps.map((t) => [t.name, t.kind, t.tunFlags, t.ifindex]),
      [
        ['macvtap0', 'macvtap', null, 11],
        ['tun0', 'tun', 0x1001, 10],
        ['vnet3', 'tap', 0x1002, 9],
      ],
    );
    assert.equal(section.taps.find((t) => t.name === 'vnet3')?.mac, 'fe:54:00:aa:bb:cc');
    assert.deepEqual(section.problems, []);
  });

  it('says absent, not error, for a directory that is not sysfs', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'vmz-empty-'));
    try {
      await assert.rejects(readSysfs(empty), (e: unknown) => isSourceAbsentError(e));
    } finally {
      await rm(empty, { recursive: true });
    }
  });

  it('stops when aborted', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('collector timeout'));
    await assert.rejects(readSysfs(tree.root, ctl.signal), /collector timeout/);
  });
});
