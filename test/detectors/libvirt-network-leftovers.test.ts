// dhcp_lease_without_domain and nwfilter_binding_without_domain against their healthy look-alikes, and
// each one's grace through the engine.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { dhcpLeaseWithoutDomain } from '../../src/detectors/dhcp-lease-without-domain.js';
import { nwfilterBindingWithoutDomain } from '../../src/detectors/nwfilter-binding-without-domain.js';
import type { DhcpLease, NwfilterBinding } from '../../src/snapshot/libvirt-network.js';
import type { Domain } from '../../src/snapshot/libvirt.js';
import type { AnyDetector } from '../../src/detectors/detector.js';
import { FindingsState } from '../../src/engine/findings-state.js';
import { defaultConfig } from '../../src/flags.js';
import { CTX, NOW, domain, libvirtSection, snapshot } from '../support/builders.js';
import { judge, skipReason } from '../support/judge.js';

const nic = (mac: string, targetDev: string | null = null) => ({ type: 'network', targetDev, mac });
const lease = (mac: string | null, ip: string, over: Partial<DhcpLease> = {}): DhcpLease => ({
  network: 'default',
  iface: 'virbr0',
  mac,
  ip,
  prefix: 24,
  type: 'ipv4',
  hostname: null,
  clientId: null,
  expiry: NOW + 3600,
  ...over,
});
const binding = (portDev: string, owner: Domain | { name: string; uuid: string }): NwfilterBinding => ({
  portDev,
  filter: 'clean-traffic',
  ownerName: owner.name,
  ownerUuid: owner.uuid,
  mac: '52:54:00:00:00:99',
});

describe('dhcp_lease_without_domain', () => {
  const web = domain({ name: 'web', id: 3, state: 'running', interfaces: [nic('52:54:00:00:00:01', 'vnet0')] });
  // A shut-off guest's lease is not an orphan: it gets the address back when it starts.
  const off = domain({ name: 'off', interfaces: [nic('52:54:00:00:00:02')] });
  const networks = {
    networks: [
      { name: 'default', active: true },
      { name: 'lab', active: false },
    ],
    leases: [
      lease('52:54:00:00:00:01', '192.168.122.10'),
      lease('52:54:00:00:00:02', '192.168.122.11'),
      // The MAC in another case than the domain XML's.
      lease('52:54:00:00:00:0A', '192.168.122.12', { mac: '52:54:00:00:00:0a' }),
      lease('52:54:00:00:00:03', '192.168.122.13', { hostname: 'web' }),
      lease('52:54:00:00:00:04', '192.168.50.4', { network: 'lab', iface: 'virbr1', expiry: null }),
      // Expired (libvirt hides these; a snapshot replayed later may not).
      lease('52:54:00:00:00:05', '192.168.122.15', { expiry: NOW - 1 }),
      // IPv6 without a MAC: cannot be tied to a guest.
      lease(null, 'fd00::5', { type: 'ipv6', prefix: 64, clientId: '00:04:aa' }),
    ],
  };
  const caseDomain = domain({ name: 'case', interfaces: [nic('52:54:00:00:00:0a')] });
  const s = snapshot({ libvirt: libvirtSection([web, off, caseDomain], [], { networks }) });

  it('leases of MACs no domain has, with evidence; running, shut-off, expired and MAC-less leases silent', () => {
    const findings = judge(dhcpLeaseWithoutDomain, s, CTX) as ReturnType<typeof dhcpLeaseWithoutDomain.detect>;
    assert.deepEqual(
      findings.map((f) => f.labels),
      [
        { network: 'default', mac: '52:54:00:00:00:03', ip: '192.168.122.13' },
        { network: 'lab', mac: '52:54:00:00:00:04', ip: '192.168.50.4' },
      ],
    );
    const [recreated, lab] = findings;
    assert.deepEqual(recreated?.evidence.domainsNamedLikeHostname, [`web (${web.uuid})`]);
    assert.equal(recreated?.evidence.expiry, NOW + 3600);
    assert.equal(recreated?.evidence.bridge, 'virbr0');
    assert.deepEqual(recreated?.reclaimable, {});
    assert.equal(recreated?.evidence.addresses, 1);
    assert.equal(lab?.evidence.networkActive, false);
    assert.equal(lab?.evidence.expiry, null);
  });

  it('cannot judge without the network driver', () => {
    const none = snapshot({ libvirt: libvirtSection([web]) });
    assert.match(skipReason(dhcpLeaseWithoutDomain, none) ?? '', /networks and DHCP leases were not read/);
  });

  it('the grace: silent (pending) for the first hour, then reported', () => {
    const state = new FindingsState(defaultConfig(), [dhcpLeaseWithoutDomain as AnyDetector]);
    const at = (t: number) => state.evaluate({ ...s, takenAt: t }).findings.map((f) => [f.subject, f.pending]);
    assert.deepEqual(at(NOW), [
      ['default 52:54:00:00:00:03 192.168.122.13', true],
      ['lab 52:54:00:00:00:04 192.168.50.4', true],
    ]);
    assert.deepEqual(at(NOW + 3599)[0], ['default 52:54:00:00:00:03 192.168.122.13', true]);
    // An hour on, the default network's lease has expired by itself; the lab's never-expiring one stays.
    assert.deepEqual(at(NOW + 3600), [['lab 52:54:00:00:00:04 192.168.50.4', false]]);
  });
});

describe('nwfilter_binding_without_domain', () => {
  const web = domain({ name: 'web', id: 3, state: 'running', interfaces: [nic('52:54:00:00:00:01', 'vnet0')] });
  const paused = domain({ name: 'paused', id: 4, state: 'paused', interfaces: [nic('52:54:00:00:00:02', 'vnet1')] });
  const off = domain({ name: 'off', owner: { system: 'nova', project: 'p1', name: 'i-1' } });
  const renamed = domain({ name: 'new-name', id: 5, state: 'running' });
  const bindings = [
    binding('vnet0', web),
    binding('vnet1', paused),
    // Found by uuid although its name changed since.
    binding('vnet2', { name: 'old-name', uuid: renamed.uuid }),
    binding('vnet3', off),
    // The owner is gone and a new guest took its tap name.
    binding('vnet4', { name: 'ghost', uuid: '00000000-0000-4000-8000-00000000dead' }),
  ];
  const taker = domain({ name: 'taker', id: 6, state: 'running', interfaces: [nic('52:54:00:00:00:07', 'vnet4')] });
  const s = snapshot({
    libvirt: libvirtSection([web, paused, off, renamed, taker], [], { nwfilterBindings: bindings }),
  });

  it('bindings whose owner is shut off or gone; owners running or paused (by uuid) silent', () => {
    const findings = judge(nwfilterBindingWithoutDomain, s, CTX) as ReturnType<
      typeof nwfilterBindingWithoutDomain.detect
    >;
    assert.deepEqual(
      findings.map((f) => f.labels),
      [
        { port_dev: 'vnet3', filter: 'clean-traffic', domain: 'off', uuid: off.uuid, owner: 'nova:p1' },
        {
          port_dev: 'vnet4',
          filter: 'clean-traffic',
          domain: 'ghost',
          uuid: '00000000-0000-4000-8000-00000000dead',
          owner: '',
        },
      ],
    );
    assert.equal(findings[0]?.evidence.ownerState, 'shutoff');
    assert.deepEqual(findings[0]?.evidence.portDevNowUsedBy, []);
    assert.equal(findings[1]?.evidence.ownerState, null);
    assert.deepEqual(findings[1]?.evidence.portDevNowUsedBy, [`taker (${taker.uuid})`]);
    assert.deepEqual(findings[1]?.reclaimable, {});
  });

  it('an owner without uuid is matched by name', () => {
    const b = { ...binding('vnet0', web), ownerUuid: null };
    const only = snapshot({ libvirt: libvirtSection([web], [], { nwfilterBindings: [b] }) });
    assert.deepEqual(judge(nwfilterBindingWithoutDomain, only, CTX), []);
  });

  it('cannot judge without the nwfilter driver', () => {
    assert.match(
      skipReason(nwfilterBindingWithoutDomain, snapshot({ libvirt: libvirtSection([web]) })) ?? '',
      /nwfilter bindings were not read/,
    );
  });

  it('the grace: pending for ten minutes, then reported', () => {
    const state = new FindingsState(defaultConfig(), [nwfilterBindingWithoutDomain as AnyDetector]);
    const pending = (t: number) => state.evaluate({ ...s, takenAt: t }).findings.map((f) => f.pending);
    assert.deepEqual(pending(NOW), [true, true]);
    assert.deepEqual(pending(NOW + 599), [true, true]);
    assert.deepEqual(pending(NOW + 600), [false, false]);
  });
});
