import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseDomainXml } from '../../../src/sources/shared/parse-domain-xml.js';

const XML = `<domain type='kvm'>
  <name>vol</name><uuid>6a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</uuid><memory unit='KiB'>1048576</memory><vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
    <nvram>/var/lib/libvirt/qemu/nvram/vol_VARS.fd</nvram>
    <kernel>/var/lib/libvirt/images/vmlinuz</kernel>
    <initrd>/var/lib/libvirt/images/initrd.img</initrd>
  </os>
  <devices>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='vol.qcow2'/>
    <target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
  </devices>
</domain>`;

describe('parseDomainXml: files a domain uses besides disk paths', () => {
  it('keeps the pool and volume of type=volume disks', () => {
    const d = parseDomainXml(XML);
    assert.deepEqual(
      d.disks.map((x) => [x.target, x.type, x.source, x.volume]),
      [
        ['vda', 'volume', null, { pool: 'default', volume: 'vol.qcow2' }],
        ['sda', 'file', null, undefined],
      ],
    );
  });

  it('lists loader, nvram, kernel and initrd as boot files', () => {
    assert.deepEqual(parseDomainXml(XML).bootFiles, [
      '/var/lib/libvirt/images/vmlinuz',
      '/var/lib/libvirt/images/initrd.img',
      '/usr/share/OVMF/OVMF_CODE.fd',
      '/var/lib/libvirt/qemu/nvram/vol_VARS.fd',
    ]);
  });

  it('finds none in a captured running domain without them', async () => {
    const captured = await readFile(
      new URL('../../fixtures/captured/dumpxml-running-backing-chain.xml', import.meta.url),
      'utf8',
    );
    const d = parseDomainXml(captured);
    assert.equal(d.bootFiles, undefined);
    assert.ok(d.disks.every((x) => x.volume === undefined));
  });
});
