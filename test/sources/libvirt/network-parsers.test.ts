// Parsers of the network and nwfilter reads, on output captured from libvirt 9.0 (virsh -q -r) and
// the XML its nwfilter driver serves.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import {
  parseBindingList,
  parseDhcpLeases,
  parseNetInfoBridge,
  parseNwfilterBindingXml,
} from '../../../src/sources/libvirt/network/parse-network.js';
import { toLease } from '../../../src/sources/libvirt/network/network-reader.js';

describe('network parsers', () => {
  it('net-dhcp-leases rows, with or without the header; the expiry in virsh local time', () => {
    const quiet = ' 2027-01-15 09:00:00   52:54:00:aa:bb:06   ipv4   192.168.150.16/24   ghost6   -\n';
    const headed =
      ' Expiry Time           MAC address         Protocol   IP address          Hostname   Client ID or DUID\n' +
      '-----------------------------------------------------------------------------------------------------\n' +
      quiet +
      ' 2027-01-15 10:00:00   -                   ipv6   fd00::5/64          -          00:04:aa:bb\n';
    const problems: string[] = [];
    const rows = parseDhcpLeases(headed, 'vmzlbr0', problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(rows[0], {
      iface: 'vmzlbr0',
      expirytime: new Date(2027, 0, 15, 9, 0, 0).getTime() / 1000,
      type: 0,
      mac: '52:54:00:aa:bb:06',
      iaid: null,
      ipaddr: '192.168.150.16',
      prefix: 24,
      hostname: 'ghost6',
      clientid: null,
    });
    assert.deepEqual(
      [rows[1]?.type, rows[1]?.mac, rows[1]?.ipaddr, rows[1]?.clientid],
      [1, null, 'fd00::5', '00:04:aa:bb'],
    );
    assert.deepEqual(parseDhcpLeases(quiet, 'vmzlbr0', []), [rows[0]]);
    const bad: string[] = [];
    assert.deepEqual(parseDhcpLeases('garbage here\n', 'b', bad), []);
    assert.equal(bad.length, 1);
  });

  it('a wire lease becomes a snapshot lease: MAC lower case, expiry 0 means never', () => {
    const w = {
      iface: 'virbr0',
      expirytime: 0,
      type: 0,
      mac: '52:54:00:AA:BB:01',
      iaid: null,
      ipaddr: '10.0.0.2',
      prefix: 24,
      hostname: null,
      clientid: null,
    };
    assert.deepEqual(toLease('default', w), {
      network: 'default',
      iface: 'virbr0',
      mac: '52:54:00:aa:bb:01',
      ip: '10.0.0.2',
      prefix: 24,
      type: 'ipv4',
      hostname: null,
      clientId: null,
      expiry: null,
    });
  });

  it('net-info bridge, nwfilter-binding-list rows', () => {
    assert.equal(
      parseNetInfoBridge('Name:           vmzl-net\nActive:         yes\nBridge:         vmzlbr0\n'),
      'vmzlbr0',
    );
    assert.equal(parseNetInfoBridge('Name: x\n'), '');
    const problems: string[] = [];
    assert.deepEqual(
      parseBindingList(
        ' Port Dev   Filter\n-----------------------------\n vnet0      vmz-test-filter\n vnet9   clean-traffic\n',
        problems,
      ),
      [
        { portdev: 'vnet0', filtername: 'vmz-test-filter' },
        { portdev: 'vnet9', filtername: 'clean-traffic' },
      ],
    );
    assert.deepEqual(problems, []);
  });

  it('a binding XML: owner, port device, MAC, filter', () => {
    const xml = `<filterbinding>
  <owner>
    <name>ghost-dom</name>
    <uuid>00000000-0000-4000-8000-0000000000AA</uuid>
  </owner>
  <portdev name='vnet9'/>
  <mac address='52:54:00:AA:BB:09'/>
  <filterref filter='clean-traffic'>
    <parameter name='IP' value='10.0.0.9'/>
  </filterref>
</filterbinding>`;
    assert.deepEqual(parseNwfilterBindingXml(xml), {
      portDev: 'vnet9',
      filter: 'clean-traffic',
      ownerName: 'ghost-dom',
      ownerUuid: '00000000-0000-4000-8000-0000000000aa',
      mac: '52:54:00:aa:bb:09',
    });
    assert.throws(() => parseNwfilterBindingXml('<domain/>'), /filterbinding/);
  });
});
