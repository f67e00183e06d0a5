// End to end on a private real libvirtd with the network and nwfilter drivers, in its own network
// namespace: a real libvirt network (bridge, firewall rules, Debian's dnsmasq) whose leases are added
// by libvirt's own lease helper, as dnsmasq calls it; a QEMU (TCG) guest on that network with a
// <filterref> (its real tap and filter binding), a shut-off guest, and filter bindings left for owners
// that do not run. Read over RPC and over virsh; the runbooks' fixes clear the findings.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { PrivateLibvirtd } from '../support/private-libvirtd.js';
import { acquireLock, releaseLock } from '../support/libvirtd.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { LibvirtReader } from '../../src/sources/libvirt/libvirt-reader.js';
import type { LibvirtSection } from '../../src/snapshot/libvirt.js';
import { dhcpLeaseWithoutDomain } from '../../src/detectors/dhcp-lease-without-domain.js';
import { nwfilterBindingWithoutDomain } from '../../src/detectors/nwfilter-binding-without-domain.js';
import { snapshot } from '../support/builders.js';
import { detectContext } from '../support/detect-context.js';
import { judge } from '../support/judge.js';

const LEASES_HELPER = '/usr/lib/libvirt/libvirt_leaseshelper';
const unavailable = skipWithout(
  'a real libvirtd with its network and nwfilter drivers, dnsmasq and QEMU',
  missingCommands(
    'libvirtd',
    'virsh',
    'qemu-system-x86_64',
    'qemu-img',
    'unshare',
    'nsenter',
    'dnsmasq',
    'dhcp_release',
  ) ?? (existsSync(LEASES_HELPER) ? null : `no ${LEASES_HELPER}`),
);

const BRIDGE = 'vmzlbr0';
const NETWORK = `<network><name>vmzl-net</name><bridge name='${BRIDGE}'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.150.10' end='192.168.150.100'/></dhcp>
  </ip></network>`;
const FILTER = `<filter name='vmzl-filter' chain='root'>
  <rule action='accept' direction='inout' priority='500'><all/></rule></filter>`;
const GHOST = { name: 'ghost-dom', uuid: '00000000-0000-4000-8000-0000000000aa' };
const binding = (portDev: string, owner: { name: string; uuid: string }, mac: string) =>
  `<filterbinding><owner><name>${owner.name}</name><uuid>${owner.uuid}</uuid></owner>` +
  `<portdev name='${portDev}'/><mac address='${mac}'/><filterref filter='vmzl-filter'/></filterbinding>`;
const guest = (name: string, disk: string, mac: string) => `<domain type='qemu'>
  <name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
  <target dev='vda' bus='virtio'/></disk>
  <interface type='network'><source network='vmzl-net'/><mac address='${mac}'/><model type='virtio'/>
  <filterref filter='vmzl-filter'/></interface></devices></domain>`;

describe.skipIf(unavailable)(
  'libvirt network leases and filter bindings, private libvirtd',
  { timeout: 300_000 },
  () => {
    let d: PrivateLibvirtd;
    beforeAll(async () => {
      await acquireLock();
      d = await PrivateLibvirtd.start({ drivers: ['network', 'nwfilter'], ownNetwork: true });
    });
    afterAll(async () => {
      await d?.stop();
      await releaseLock();
    });

    const file = async (name: string, text: string) => {
      const f = path.join(d.dir, name);
      await writeFile(f, text);
      return f;
    };
    const read = async (transport: 'rpc' | 'virsh'): Promise<LibvirtSection> => {
      const r = new LibvirtReader({ virsh: 'virsh', uri: d.roUri, runDir: path.join(d.runDir, 'qemu'), transport });
      try {
        return await r.read(AbortSignal.timeout(60_000));
      } finally {
        await r.close();
      }
    };
    // The leases expire in a day of real time: judged at the real time.
    const now = () => detectContext(Math.floor(Date.now() / 1000));
    const leaseFindings = (s: LibvirtSection) =>
      judge(dhcpLeaseWithoutDomain, snapshot({ libvirt: s }), now()) as ReturnType<
        typeof dhcpLeaseWithoutDomain.detect
      >;
    const bindingFindings = (s: LibvirtSection) =>
      judge(nwfilterBindingWithoutDomain, snapshot({ libvirt: s }), now()) as ReturnType<
        typeof nwfilterBindingWithoutDomain.detect
      >;

    it('a lease of no domain, bindings of owners not running; running and shut-off look-alikes silent', async () => {
      await d.virsh('nwfilter-define', await file('filter.xml', FILTER));
      await d.virsh('net-define', await file('net.xml', NETWORK));
      // What dnsmasq does on each DHCP lease: call libvirt's helper, which records it in the network's
      // status file. Added before the network starts, so its dnsmasq takes them over (the helper's init).
      const expires = String(Math.floor(Date.now() / 1000) + 86400);
      // On a host the folder exists from the network's first start.
      await d.inside(['mkdir', '-p', '/var/lib/libvirt/dnsmasq']);
      const addLease = (mac: string, ip: string, host: string) =>
        d.inside([LEASES_HELPER, 'add', mac, ip, host], { DNSMASQ_INTERFACE: BRIDGE, DNSMASQ_LEASE_EXPIRES: expires });
      await addLease('52:54:00:aa:bb:01', '192.168.150.11', 'ghost');
      await addLease('52:54:00:aa:bb:02', '192.168.150.12', 'vmzl-live');
      await addLease('52:54:00:aa:bb:03', '192.168.150.13', 'vmzl-off');
      await d.virsh('net-start', 'vmzl-net');

      const images = path.join(d.dir, 'lib', 'images');
      const img = async (name: string) => {
        const p = path.join(images, name);
        await execa('qemu-img', ['create', '-q', '-f', 'qcow2', p, '16M']);
        return p;
      };
      await d.virsh('define', await file('live.xml', guest('vmzl-live', await img('live.qcow2'), '52:54:00:aa:bb:02')));
      await d.virsh('define', await file('off.xml', guest('vmzl-off', await img('off.qcow2'), '52:54:00:aa:bb:03')));
      // Starting it creates its tap on the bridge and the binding of its <filterref>.
      await d.virsh('start', 'vmzl-live');
      const offUuid = (await d.virsh('domuuid', 'vmzl-off')).trim();
      await d.virsh('nwfilter-binding-create', await file('b9.xml', binding('vnet9', GHOST, '52:54:00:aa:bb:09')));
      await d.virsh(
        'nwfilter-binding-create',
        await file('b8.xml', binding('vnet8', { name: 'vmzl-off', uuid: offUuid }, '52:54:00:aa:bb:03')),
      );

      const rpc = await read('rpc');
      const virsh = await read('virsh');
      assert.equal(rpc.transport?.name, 'rpc');
      assert.equal(virsh.transport?.name, 'virsh');
      assert.deepEqual(rpc.problems, []);
      assert.deepEqual(virsh.problems, []);
      const byPort = (s: LibvirtSection) =>
        [...(s.nwfilterBindings ?? [])].sort((a, b) => a.portDev.localeCompare(b.portDev));
      const byIp = (s: LibvirtSection) => [...(s.networks?.leases ?? [])].sort((a, b) => a.ip.localeCompare(b.ip));
      assert.deepEqual(rpc.networks?.networks, [{ name: 'vmzl-net', active: true }]);
      assert.deepEqual(virsh.networks?.networks, rpc.networks?.networks);
      assert.deepEqual(byIp(virsh), byIp(rpc));
      assert.deepEqual(byPort(virsh), byPort(rpc));
      assert.deepEqual(
        byIp(rpc).map((l) => [l.ip, l.mac, l.hostname, l.iface, l.prefix, l.expiry]),
        [
          ['192.168.150.11', '52:54:00:aa:bb:01', 'ghost', BRIDGE, 24, Number(expires)],
          ['192.168.150.12', '52:54:00:aa:bb:02', 'vmzl-live', BRIDGE, 24, Number(expires)],
          ['192.168.150.13', '52:54:00:aa:bb:03', 'vmzl-off', BRIDGE, 24, Number(expires)],
        ],
      );
      const live = rpc.domains.find((x) => x.name === 'vmzl-live')!;
      const tap = live.interfaces[0]?.targetDev;
      assert.match(tap ?? '', /^vnet\d+$/);
      assert.deepEqual(
        byPort(rpc).map((b) => [b.portDev, b.ownerName, b.filter]),
        [
          [tap, 'vmzl-live', 'vmzl-filter'],
          ['vnet8', 'vmzl-off', 'vmzl-filter'],
          ['vnet9', 'ghost-dom', 'vmzl-filter'],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );

      for (const s of [rpc, virsh]) {
        const leases = leaseFindings(s);
        assert.deepEqual(
          leases.map((f) => f.labels),
          [{ network: 'vmzl-net', mac: '52:54:00:aa:bb:01', ip: '192.168.150.11' }],
        );
        assert.equal(leases[0]?.evidence.hostname, 'ghost');
        assert.equal(leases[0]?.evidence.bridge, BRIDGE);
        assert.equal(leases[0]?.evidence.networkActive, true);
        const bindings = bindingFindings(s);
        assert.deepEqual(
          bindings
            .map((f) => [f.labels.port_dev, f.labels.domain, f.labels.uuid, f.evidence.ownerState])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
          [
            ['vnet8', 'vmzl-off', offUuid, 'shutoff'],
            ['vnet9', 'ghost-dom', GHOST.uuid, null],
          ],
        );
      }

      // The runbooks' fixes: release the lease through the network's dnsmasq (which tells libvirt's
      // helper), delete the stale bindings. The findings clear; the live guest's lease and binding stay.
      await d.inside(['dhcp_release', BRIDGE, '192.168.150.11', '52:54:00:aa:bb:01']);
      await d.virsh('nwfilter-binding-delete', 'vnet9');
      await d.virsh('nwfilter-binding-delete', 'vnet8');
      let after = await read('rpc');
      for (let i = 0; i < 50 && after.networks?.leases.some((l) => l.ip === '192.168.150.11'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await read('rpc');
      }
      assert.deepEqual(leaseFindings(after), []);
      assert.deepEqual(bindingFindings(after), []);
      assert.deepEqual(
        byIp(after).map((l) => l.ip),
        ['192.168.150.12', '192.168.150.13'],
      );
      assert.deepEqual(
        byPort(after).map((b) => b.ownerName),
        ['vmzl-live'],
      );

      // The guest stops: libvirt removes its binding itself; its lease stays and is still not an orphan.
      await d.virsh('destroy', 'vmzl-live');
      const stopped = await read('rpc');
      assert.deepEqual(stopped.nwfilterBindings, []);
      assert.deepEqual(leaseFindings(stopped), []);
    });
  },
);
