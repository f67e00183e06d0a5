// Tests of the dumpxml parser on a captured live domain and on inline XML for each device shape.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDomainXml } from '../../../src/sources/shared/parse-domain-xml.js';

const CAPTURED = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/captured');

function domain(inner: string, attrs = "type='kvm'"): string {
  return `<domain ${attrs}>
  <name>d1</name>
  <uuid>0a4b6c0e-1111-2222-3333-444455556666</uuid>
  ${inner}
</domain>`;
}

test('captured dumpxml of a running domain with a backing chain and quotes in its name', () => {
  const xml = readFileSync(path.join(CAPTURED, 'dumpxml-running-backing-chain.xml'), 'utf8');
  assert.deepEqual(parseDomainXml(xml), {
    name: 'vmz "odd" name',
    uuid: 'de554306-1c01-4723-a48e-263c196000a6',
    id: 1,
    vcpus: 1,
    memoryBytes: 32 * 1024 * 1024,
    hugepages: false,
    disks: [
      {
        target: 'vda',
        device: 'disk',
        type: 'file',
        source: '/tmp/vmzt/top.qcow2',
        readonly: false,
        shareable: false,
        backingChain: ['/tmp/vmzt/base.qcow2'],
      },
    ],
    hostdevs: [],
    interfaces: [],
  });
});

test('an inactive domain has no id; vcpu current wins over the maximum; uuid is lower-cased', () => {
  const d = parseDomainXml(`<domain type='kvm'>
  <name>big</name><uuid>0A4B6C0E-1111-2222-3333-444455556666</uuid>
  <memory unit='KiB'>4194304</memory><vcpu placement='static' current='2'>8</vcpu>
</domain>`);
  assert.equal(d.id, null);
  assert.equal(d.vcpus, 2);
  assert.equal(d.uuid, '0a4b6c0e-1111-2222-3333-444455556666');
  assert.equal(d.memoryBytes, 4 * 1024 ** 3);
  assert.equal(parseDomainXml(domain('<vcpu>4</vcpu>', "type='kvm' id='-1'")).id, null);
  assert.equal(parseDomainXml(domain('<vcpu>4</vcpu>', "type='kvm' id='17'")).id, 17);
  assert.equal(parseDomainXml(domain('<vcpu>4</vcpu>')).vcpus, 4);
  assert.equal(parseDomainXml(domain('')).vcpus, 1);
});

test('memory units', () => {
  const cases: Array<[string, number]> = [
    ["<memory unit='KiB'>1024</memory>", 1024 * 1024],
    ["<memory unit='k'>1024</memory>", 1024 * 1024],
    ["<memory unit='KB'>1000</memory>", 1_000_000],
    ["<memory unit='MiB'>512</memory>", 512 * 1024 ** 2],
    ["<memory unit='M'>64</memory>", 64 * 1024 ** 2],
    ["<memory unit='MB'>64</memory>", 64_000_000],
    ["<memory unit='GiB'>2</memory>", 2 * 1024 ** 3],
    ["<memory unit='G'>1</memory>", 1024 ** 3],
    ["<memory unit='GB'>1</memory>", 1e9],
    ["<memory unit='TiB'>1</memory>", 1024 ** 4],
    ["<memory unit='bytes'>33554432</memory>", 33554432],
    ["<memory unit='b'>4096</memory>", 4096],
    ['<memory>2048</memory>', 2048 * 1024],
  ];
  for (const [xml, bytes] of cases) assert.equal(parseDomainXml(domain(xml)).memoryBytes, bytes, xml);
});

test('disks: file, block, dir, volume, network, empty cdrom, readonly, shareable, one disk alone', () => {
  const d = parseDomainXml(
    domain(`<devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg0/lv-data'/>
    <target dev='vdb' bus='virtio'/><shareable/></disk>
    <disk type='dir' device='disk'><source dir='/srv/share'/><target dev='hdb' bus='ide'/></disk>
    <disk type='volume' device='disk'><source pool='default' volume='c.qcow2'/><target dev='vdc' bus='virtio'/></disk>
    <disk type='network' device='disk'><source protocol='rbd' name='pool/image'><host name='10.0.0.1' port='6789'/>
    </source><target dev='vdd' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>
  </devices>`),
  );
  assert.deepEqual(d.disks, [
    {
      target: 'vda',
      device: 'disk',
      type: 'file',
      source: '/var/lib/libvirt/images/a.qcow2',
      readonly: false,
      shareable: false,
      backingChain: [],
    },
    {
      target: 'vdb',
      device: 'disk',
      type: 'block',
      source: '/dev/vg0/lv-data',
      readonly: false,
      shareable: true,
      backingChain: [],
    },
    {
      target: 'hdb',
      device: 'disk',
      type: 'dir',
      source: '/srv/share',
      readonly: false,
      shareable: false,
      backingChain: [],
    },
    {
      target: 'vdc',
      device: 'disk',
      type: 'volume',
      source: null,
      readonly: false,
      shareable: false,
      backingChain: [],
      volume: { pool: 'default', volume: 'c.qcow2' },
    },
    {
      target: 'vdd',
      device: 'disk',
      type: 'network',
      source: null,
      readonly: false,
      shareable: false,
      backingChain: [],
      network: { protocol: 'rbd', name: 'pool/image' },
    },
    { target: 'sda', device: 'cdrom', type: 'file', source: null, readonly: true, shareable: false, backingChain: [] },
  ]);
  const one = parseDomainXml(
    domain("<devices><disk type='file' device='disk'><source file='/x.img'/><target dev='vda'/></disk></devices>"),
  );
  assert.equal(one.disks.length, 1);
  assert.equal(one.disks[0]?.source, '/x.img');
});

test('a three-level backing chain, with a block device layer, nearest first', () => {
  const d = parseDomainXml(
    domain(`<devices>
    <disk type='file' device='disk'>
      <source file='/img/top.qcow2' index='3'/>
      <backingStore type='file' index='2'><format type='qcow2'/><source file='/img/mid.qcow2'/>
        <backingStore type='block' index='1'><format type='raw'/><source dev='/dev/mapper/base'/><backingStore/>
        </backingStore>
      </backingStore>
      <target dev='vda' bus='virtio'/>
    </disk></devices>`),
  );
  assert.deepEqual(d.disks[0]?.backingChain, ['/img/mid.qcow2', '/dev/mapper/base']);
});

test('hostdevs: PCI (hex and decimal attributes), mdev, and other kinds', () => {
  const d = parseDomainXml(
    domain(`<devices>
    <hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio'/><source>
    <address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/></source></hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'><source>
    <address domain='0x0001' bus='0xaf' slot='0x1f' function='0x7'/></source></hostdev>
    <hostdev mode='subsystem' type='pci'><source><address domain='0' bus='10' slot='2' function='3'/></source></hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci' display='off'><source>
    <address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>
    <hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x1234'/><product id='0xbeef'/></source>
    </hostdev>
  </devices>`),
  );
  assert.deepEqual(d.hostdevs, [
    { type: 'pci', managed: true, address: '0000:3b:00.1' },
    { type: 'pci', managed: false, address: '0001:af:1f.7' },
    { type: 'pci', managed: false, address: '0000:0a:02.3' },
    { type: 'mdev', managed: false, address: 'c2177883-f1bb-47f0-914d-32a22e3a8804' },
    { type: 'other', managed: true, address: 'usb' },
  ]);
});

test('interfaces with and without a target dev', () => {
  const d = parseDomainXml(
    domain(`<devices>
    <interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='default'/><target dev='vnet0'/>
    <model type='virtio'/></interface>
    <interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/><model type='virtio'/></interface>
  </devices>`),
  );
  assert.deepEqual(d.interfaces, [
    { type: 'network', targetDev: 'vnet0', mac: '52:54:00:aa:bb:cc' },
    { type: 'bridge', targetDev: null, mac: '52:54:00:11:22:33' },
  ]);
});

test('hugepages backing, empty or with page sizes', () => {
  assert.equal(parseDomainXml(domain('<memoryBacking><hugepages/></memoryBacking>')).hugepages, true);
  assert.equal(
    parseDomainXml(domain("<memoryBacking><hugepages><page size='1' unit='G'/></hugepages></memoryBacking>")).hugepages,
    true,
  );
  assert.equal(parseDomainXml(domain('<memoryBacking><nosharepages/></memoryBacking>')).hugepages, false);
  assert.equal(parseDomainXml(domain('')).hugepages, false);
});

test('XML entities in names and paths are decoded', () => {
  const d = parseDomainXml(`<domain type='kvm'><name>a &amp; b &lt;c&gt; &apos;d&apos;</name>
    <uuid>0a4b6c0e-1111-2222-3333-444455556666</uuid>
    <devices><disk type='file' device='disk'><source file='/img/a &amp; b.qcow2'/><target dev='vda'/></disk>
    </devices></domain>`);
  assert.equal(d.name, "a & b <c> 'd'");
  assert.equal(d.disks[0]?.source, '/img/a & b.qcow2');
});

test('what is not a domain is refused with a message', () => {
  assert.throws(() => parseDomainXml(''), /no <domain> element/);
  assert.throws(() => parseDomainXml('error: failed to get domain'), /no <domain> element/);
  assert.throws(() => parseDomainXml('<network><name>default</name></network>'), /no <domain> element/);
  assert.throws(
    () => parseDomainXml("<domain type='kvm'><uuid>0a4b6c0e-1111-2222-3333-444455556666</uuid></domain>"),
    /without <name> or <uuid>/,
  );
  assert.throws(() => parseDomainXml("<domain type='kvm'><name>x</name></domain>"), /without <name> or <uuid>/);
});

test('an SR-IOV VF given as <interface type="hostdev"> is also a PCI hostdev of the domain', () => {
  const d = parseDomainXml(
    domain(`<devices>
    <hostdev mode='subsystem' type='pci' managed='yes'><source>
    <address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/></source></hostdev>
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:6d:90:02'/><driver name='vfio'/>
      <source><address type='pci' domain='0x0000' bus='0x5e' slot='0x10' function='0x3'/></source>
      <vlan><tag id='42'/></vlan>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
    <interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='default'/><target dev='vnet0'/>
    </interface>
  </devices>`),
  );
  assert.deepEqual(d.hostdevs, [
    { type: 'pci', managed: true, address: '0000:3b:00.1' },
    // The host address from <source>, not the guest-side <address>.
    { type: 'pci', managed: true, address: '0000:5e:10.3' },
  ]);
  assert.deepEqual(d.interfaces, [
    { type: 'hostdev', targetDev: null, mac: '52:54:00:6d:90:02' },
    { type: 'network', targetDev: 'vnet0', mac: '52:54:00:aa:bb:cc' },
  ]);
});
