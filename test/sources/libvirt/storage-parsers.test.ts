// Pure parsers behind the storage and host-record reads: pool and volume XML as libvirt 9 writes it,
// <mirror>, owner and template metadata in domain XML, the qemu log's "shutting down" line, vol-list.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseStoragePoolXml, parseStorageVolumeXml } from '../../../src/sources/libvirt/storage/parse-storage-xml.js';
import { parseDomainXml } from '../../../src/sources/shared/parse-domain-xml.js';
import { lastShutdown } from '../../../src/sources/libvirt/host-records.js';
import { parseVolList } from '../../../src/sources/libvirt/storage/virsh-storage.js';

test('pool XML: type, source name, target path; garbage is an error', () => {
  const p = parseStoragePoolXml(
    `<pool type='rbd'><name>ceph</name><uuid>u</uuid><source><host name='mon1'/><name>rbdpool</name></source></pool>`,
    '00000000-0000-4000-8000-000000000001',
  );
  assert.deepEqual(p, {
    name: 'ceph',
    uuid: '00000000-0000-4000-8000-000000000001',
    type: 'rbd',
    sourceName: 'rbdpool',
    targetPath: null,
  });
  assert.throws(() => parseStoragePoolXml('<volume/>', 'x'), /no <pool>/);
});

test('volume XML: units, path, format, backing store', () => {
  const v = parseStorageVolumeXml(
    `<volume type='block'><name>lv1</name><key>abc-123</key>
      <capacity unit='bytes'>10737418240</capacity><allocation unit='KiB'>1024</allocation>
      <target><path>/dev/vg0/lv1</path><format type='qcow2'/></target>
      <backingStore><path>/dev/vg0/base</path></backingStore></volume>`,
    'vg0',
    'fallback',
  );
  assert.deepEqual(v, {
    pool: 'vg0',
    name: 'lv1',
    key: 'abc-123',
    type: 'block',
    path: '/dev/vg0/lv1',
    capacityBytes: 10737418240,
    allocationBytes: 1024 * 1024,
    format: 'qcow2',
    backing: '/dev/vg0/base',
  });
  assert.throws(() => parseStorageVolumeXml('<volume type="file"/>', 'p', 'k'), /without <name>/);
});

const UUID = '00000000-0000-4000-8000-00000000000a';
const dom = (inner: string, name = 'vm') =>
  `<domain type='qemu'><name>${name}</name><uuid>${UUID}</uuid><memory>1024</memory>${inner}</domain>`;

test('mirror of a block job, ready or not', () => {
  const d = parseDomainXml(
    dom(`<devices><disk type='file' device='disk'><source file='/i/top.qcow2'/>
      <mirror type='file' job='active-commit' ready='yes'><source file='/i/base.qcow2'/></mirror>
      <target dev='vda'/></disk></devices>`),
  );
  assert.deepEqual(d.disks[0]?.mirror, { job: 'active-commit', ready: true, source: '/i/base.qcow2' });
});

test('owner from nova metadata, KubeVirt launcher names (only with KubeVirt metadata), template marker', () => {
  const nova = parseDomainXml(
    dom(`<metadata><nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
      <nova:name>web-1</nova:name><nova:owner><nova:user uuid="u1">alice</nova:user>
      <nova:project uuid="p-123">demo</nova:project></nova:owner></nova:instance></metadata>`),
  );
  assert.deepEqual(nova.owner, { system: 'nova', project: 'p-123', name: 'web-1' });
  const kv = parseDomainXml(
    dom(`<metadata><kubevirt xmlns="http://kubevirt.io"><uid>x</uid></kubevirt></metadata>`, 'team-a_db-0'),
  );
  assert.deepEqual(kv.owner, { system: 'kubevirt', project: 'team-a', name: 'db-0' });
  // An underscore alone is not KubeVirt.
  assert.equal(parseDomainXml(dom('', 'my_vm')).owner, undefined);
  const tpl = parseDomainXml(dom(`<metadata><vmz:template xmlns:vmz="urn:vmzombie:template"/></metadata>`));
  assert.equal(tpl.template, true);
  assert.equal(parseDomainXml(dom('')).template, undefined);
});

test("qemu log: the last 'shutting down' line's time, with its offset; none is null", () => {
  const log =
    '2026-01-01 10:00:00.000+0000: starting up libvirt version: 9.0.0\n' +
    '2026-01-01 11:00:00.000+0000: shutting down, reason=shutdown\n' +
    '2026-01-02 10:00:00.000+0000: starting up libvirt version: 9.0.0\n' +
    '2026-01-02 12:30:00.500+0100: shutting down, reason=destroyed\n';
  assert.equal(lastShutdown(log), Date.parse('2026-01-02T11:30:00.500Z') / 1000 - 0.5);
  assert.equal(lastShutdown('2026-01-01 10:00:00.000+0000: starting up\n'), null);
  assert.equal(lastShutdown('garbage'), null);
});

test('vol-list rows: names and paths split on column padding', () => {
  const text =
    ' Name        Path\n-------------------------\n disk 1      /dev/vg0/disk 1\n vm-1-disk   rbdpool/vm-1-disk\n';
  assert.deepEqual(parseVolList(text), [
    { name: 'disk 1', path: '/dev/vg0/disk 1' },
    { name: 'vm-1-disk', path: 'rbdpool/vm-1-disk' },
  ]);
  // `virsh -q` prints no header.
  assert.deepEqual(parseVolList(' a   /dev/vg0/a\n'), [{ name: 'a', path: '/dev/vg0/a' }]);
});
