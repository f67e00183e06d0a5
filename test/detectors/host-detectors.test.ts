import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { hugepagesReservedWithoutDomain } from '../../src/detectors/hugepages-reserved-without-domain.js';
import { tapWithoutDomain } from '../../src/detectors/tap-without-domain.js';
import type { HugepagePool, TapInterface } from '../../src/snapshot/sysfs.js';
import { ctx, domain, fd, libvirt, proc, procfs, qemuOf, snapshot, sysfs } from '../support/node-snapshot.js';

const MiB = 1024 ** 2;
const pages2m = (nr: number, free: number, resv: number): HugepagePool => ({
  pageSizeBytes: 2 * MiB,
  total: { nr, free, resv, surplus: 0 },
  nodes: [],
});

describe('hugepages_reserved_without_domain', () => {
  it('reports pages in use and reserved while no running domain is hugepage-backed', () => {
    const off = domain('big', { state: 'shutoff', hugepages: true, memoryBytes: 1024 * MiB });
    const s = snapshot({
      sysfs: sysfs({ hugepages: [pages2m(512, 256, 16)] }),
      libvirt: libvirt([off, domain('plain')]),
      procfs: procfs([]),
    });
    const found = hugepagesReservedWithoutDomain.detect(s, ctx());
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]?.reclaimable, { memoryBytes: (256 + 16) * 2 * MiB });
    assert.equal(found[0]?.evidence.inUseBytes, 512 * MiB);
    assert.equal(found[0]?.evidence.reservedBytes, 32 * MiB);
  });

  it('stays silent when running hugepage-backed domains account for every page', () => {
    const vm = domain('big', { hugepages: true, memoryBytes: 512 * MiB, pid: 4000 });
    const s = snapshot({
      sysfs: sysfs({ hugepages: [pages2m(512, 256, 0)] }),
      libvirt: libvirt([vm]),
      procfs: procfs([{ ...qemuOf(4000, vm), hugetlbBytes: 512 * MiB }]),
    });
    assert.deepEqual(hugepagesReservedWithoutDomain.detect(s, ctx()), []);
  });

  it('reports only the difference when more is in use than running domains account for', () => {
    const vm = domain('small', { hugepages: true, memoryBytes: 256 * MiB });
    const s = snapshot({
      sysfs: sysfs({ hugepages: [pages2m(512, 256, 0)] }),
      libvirt: libvirt([vm]),
      procfs: procfs([]),
    });
    assert.deepEqual(hugepagesReservedWithoutDomain.detect(s, ctx())[0]?.reclaimable, { memoryBytes: 256 * MiB });
  });

  it('accounts hugepages mapped by other programs (DPDK), but not those of a stray qemu', () => {
    const dpdk = proc(300, 'ovs-vswitchd', ['ovs-vswitchd'], { hugetlbBytes: 1024 * MiB });
    const base = { sysfs: sysfs({ hugepages: [pages2m(1024, 512, 8)] }), libvirt: libvirt([]) };
    assert.deepEqual(hugepagesReservedWithoutDomain.detect(snapshot({ ...base, procfs: procfs([dpdk]) }), ctx()), []);
    const stray = proc(301, 'qemu-system-x86', ['qemu-system-x86_64', '-name', 'guest=gone', '-m', '1024'], {
      hugetlbBytes: 1024 * MiB,
    });
    const found = hugepagesReservedWithoutDomain.detect(snapshot({ ...base, procfs: procfs([stray]) }), ctx());
    assert.deepEqual(found[0]?.reclaimable, { memoryBytes: (512 + 8) * 2 * MiB });
  });

  it('stays silent with no hugepages allocated at all', () => {
    const s = snapshot({ sysfs: sysfs({ hugepages: [pages2m(0, 0, 0)] }), libvirt: libvirt([]), procfs: procfs([]) });
    assert.deepEqual(hugepagesReservedWithoutDomain.detect(s, ctx()), []);
  });
});

const tap = (name: string, over: Partial<TapInterface> = {}): TapInterface => ({
  name,
  kind: 'tap',
  ifindex: 10,
  tunFlags: 0x1002,
  operstate: 'up',
  mac: 'fe:54:00:12:34:56',
  ...over,
});

describe('tap_without_domain', () => {
  const web = domain('web', {
    pid: 4000,
    interfaces: [{ type: 'network', targetDev: 'vnet0', mac: '52:54:00:aa:aa:aa' }],
  });
  const gone = domain('gone', {
    state: 'shutoff',
    interfaces: [{ type: 'network', targetDev: null, mac: '52:54:00:12:34:56' }],
  });

  it('reports a vnet tap whose domain is gone, held by nothing or only by a qemu no domain owns', () => {
    const stray = proc(5000, 'qemu-system-x86', ['qemu-system-x86_64', '-name', 'guest=gone']);
    const s = snapshot({
      sysfs: sysfs({
        taps: [
          tap('vnet0'),
          tap('vnet3'),
          tap('vnet7', { mac: 'fe:54:00:99:99:99' }),
          tap('macvtap1', { kind: 'macvtap', tunFlags: null }),
        ],
      }),
      libvirt: libvirt([web, gone]),
      procfs: procfs(
        [qemuOf(4000, web), stray],
        [
          fd(4000, 30, '/dev/net/tun', { tapInterface: 'vnet0' }),
          fd(5000, 31, '/dev/net/tun', { tapInterface: 'vnet7' }),
        ],
      ),
    });
    const found = tapWithoutDomain.detect(s, ctx());
    assert.deepEqual(
      found.map((f) => [f.subject, f.labels]),
      [
        ['vnet3', { interface: 'vnet3', type: 'tap' }],
        ['vnet7', { interface: 'vnet7', type: 'tap' }],
        ['macvtap1', { interface: 'macvtap1', type: 'macvtap' }],
      ],
    );
    assert.deepEqual(
      found[0]?.evidence.matchingDomains,
      [`gone (${gone.uuid}) shutoff`],
      'tap MAC fe:… matches the guest MAC 52:…',
    );
    assert.deepEqual(found[1]?.evidence.holders, ['pid 5000 qemu-system-x86']);
    assert.equal(found[0]?.evidence.tunFlags, '0x1002');
  });

  it("stays silent for a running domain's tap, a VPN's tap, an admin's unheld tap0 and tun devices", () => {
    const s = snapshot({
      sysfs: sysfs({
        taps: [
          tap('vnet0'),
          tap('tap-vpn'),
          tap('tap0', { tunFlags: 0x1802 }),
          tap('tun0', { kind: 'tun', tunFlags: 0x1001 }),
        ],
      }),
      libvirt: libvirt([web]),
      procfs: procfs(
        [qemuOf(4000, web), proc(700, 'openvpn')],
        [
          fd(4000, 30, '/dev/net/tun', { tapInterface: 'vnet0' }),
          fd(700, 6, '/dev/net/tun', { tapInterface: 'tap-vpn' }),
        ],
      ),
    });
    assert.deepEqual(tapWithoutDomain.detect(s, ctx()), []);
  });
});
