import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vfioDeviceWithoutDomain } from '../../src/detectors/vfio-device-without-domain.js';
import { vfioGroupHeldByForeignProcess } from '../../src/detectors/vfio-group-held-by-foreign-process.js';
import { mdevWithoutDomain } from '../../src/detectors/mdev-without-domain.js';
import { ctx, domain, fd, libvirt, pci, proc, procfs, qemuOf, snapshot, sysfs } from '../support/node-snapshot.js';
import { skipReason } from '../support/judge.js';

// A host with three GPUs: one stranded on vfio-pci, one passed through (with its audio function,
// same IOMMU group), one on its native driver; plus an NVMe on vfio-pci held by a stray process.
const stranded = pci('0000:01:00.0', { iommuGroup: '12', driverOverride: 'vfio-pci' });
const assigned = pci('0000:02:00.0', { iommuGroup: '13' });
const assignedAudio = pci('0000:02:00.1', { iommuGroup: '13', class: '0x040300', device: '0x10f8' });
const native = pci('0000:03:00.0', { iommuGroup: '14', driver: 'nvidia' });
const nvme = pci('0000:04:00.0', { iommuGroup: '15', class: '0x010802', vendor: '0x144d', device: '0xa808' });

const gpuVm = domain('gpu-vm', { hostdevs: [{ type: 'pci', address: '0000:02:00.0', managed: true }], pid: 4000 });
const oldVm = domain('old-vm', {
  state: 'shutoff',
  reason: 'destroyed',
  hostdevs: [{ type: 'pci', address: '0000:01:00.0', managed: true }],
});

function host(
  extraProcs = [proc(5000, 'qemu-system-x86', ['qemu-system-x86_64', '-name', 'guest=leftover', '-m', '64'])],
  extraFds = [fd(5000, 30, '/dev/vfio/15'), fd(5000, 29, '/dev/vfio/vfio')],
) {
  return snapshot({
    sysfs: sysfs({ pciDevices: [stranded, assigned, assignedAudio, native, nvme] }),
    libvirt: libvirt([gpuVm, oldVm]),
    procfs: procfs(
      [qemuOf(4000, gpuVm), ...extraProcs],
      [fd(4000, 25, '/dev/vfio/vfio'), fd(4000, 26, '/dev/vfio/13'), ...extraFds],
    ),
  });
}

describe('vfio_device_without_domain', () => {
  it('flags only the device on vfio-pci that no running domain lists and no process holds', () => {
    const found = vfioDeviceWithoutDomain.detect(host(), ctx());
    assert.deepEqual(
      found.map((f) => [f.subject, f.labels, f.reclaimable]),
      [['0000:01:00.0', { address: '0000:01:00.0', class: 'gpu', vendor: '0x10de', device: '0x1eb8' }, { devices: 1 }]],
    );
    assert.deepEqual(found[0]?.evidence.definedBy, [`old-vm (${oldVm.uuid}) shutoff`]);
    assert.deepEqual(found[0]?.evidence.groupDevices, ['0000:01:00.0']);
  });

  it('sees a device held through iommufd (/dev/vfio/devices/vfioN) as in use', () => {
    const s = host();
    s.sysfs!.pciDevices[0] = { ...stranded, vfioDev: 'vfio3' };
    s.procfs!.openFiles.push(fd(6000, 5, '/dev/vfio/devices/vfio3'));
    s.procfs!.processes.push(proc(6000, 'cloud-hypervis'));
    assert.deepEqual(vfioDeviceWithoutDomain.detect(s, ctx()), []);
  });

  it("cannot judge when other users' processes are hidden or libvirt is remote, and says so", () => {
    const hidden = host();
    hidden.procfs!.restricted = true;
    assert.match(skipReason(vfioDeviceWithoutDomain, hidden) ?? '', /hidepid/);
    const remote = host();
    remote.libvirt!.local = false;
    assert.match(skipReason(vfioDeviceWithoutDomain, remote) ?? '', /^libvirt is remote/);
    assert.equal(skipReason(vfioDeviceWithoutDomain, host()), null);
  });
});

describe('vfio_group_held_by_foreign_process', () => {
  it("flags a process holding a group that no running domain's qemu owns, and not the owner's qemu", () => {
    const found = vfioGroupHeldByForeignProcess.detect(host(), ctx());
    assert.deepEqual(
      found.map((f) => [f.subject, f.labels]),
      [['group 15 pid 5000', { group: '15', pid: '5000', comm: 'qemu-system-x86' }]],
    );
    assert.deepEqual(found[0]?.evidence.fds, ['fd 30 → /dev/vfio/15']);
    assert.deepEqual(found[0]?.evidence.owners, []);
  });

  it('flags the qemu of a running domain holding a group none of its devices is in', () => {
    const s = host([], [fd(4000, 27, '/dev/vfio/12')]);
    assert.deepEqual(
      vfioGroupHeldByForeignProcess.detect(s, ctx()).map((f) => f.subject),
      ['group 12 pid 4000'],
    );
  });

  it('accepts a device fd named by vfio-device-syspath as holding its group', () => {
    const s = host(
      [proc(7000, 'spdk_tgt')],
      [
        fd(7000, 9, 'anon_inode:[vfio-device]', {
          vfioDeviceSyspath: '/sys/devices/pci0000:00/0000:00:1c.0/0000:04:00.0',
        }),
      ],
    );
    assert.deepEqual(
      vfioGroupHeldByForeignProcess.detect(s, ctx()).map((f) => f.subject),
      ['group 15 pid 7000'],
    );
  });
});

describe('mdev_without_domain', () => {
  const used = {
    uuid: 'a3b0b1c6-0c1f-4e38-9e3a-6c1c7e0b8e01',
    parent: '0000:00:02.0',
    type: 'i915-GVTg_V5_4',
    iommuGroup: '20',
  };
  const idle = {
    uuid: '5c1f0e7a-2b44-4d8e-8f0c-1d2e3f4a5b6c',
    parent: '0000:00:02.0',
    type: 'i915-GVTg_V5_4',
    iommuGroup: '21',
  };
  const vgpuVm = domain('vgpu', { hostdevs: [{ type: 'mdev', address: used.uuid, managed: false }] });

  it('flags the mdev no running domain uses, not the one in use', () => {
    const s = snapshot({ sysfs: sysfs({ mdevs: [used, idle] }), libvirt: libvirt([vgpuVm]), procfs: procfs([]) });
    const found = mdevWithoutDomain.detect(s, ctx());
    assert.deepEqual(
      found.map((f) => [f.subject, f.labels, f.reclaimable]),
      [[idle.uuid, { uuid: idle.uuid, parent: '0000:00:02.0', type: 'i915-GVTg_V5_4' }, { devices: 1 }]],
    );
  });

  it('stays silent for an mdev whose group a process holds (a guest started outside libvirt)', () => {
    const s = snapshot({
      sysfs: sysfs({ mdevs: [idle] }),
      libvirt: libvirt([]),
      procfs: procfs([proc(900, 'qemu-system-x86')], [fd(900, 12, '/dev/vfio/21')]),
    });
    assert.deepEqual(mdevWithoutDomain.detect(s, ctx()), []);
  });
});
