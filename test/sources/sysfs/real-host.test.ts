// The sysfs and procfs sources against this machine's own /sys and /proc: what they find matches
// what the kernel shows through the shell, and the device detectors raise nothing (no vfio-pci here).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readSysfs } from '../../../src/sources/sysfs/sysfs-source.js';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';
import { vfioDeviceWithoutDomain } from '../../../src/detectors/vfio-device-without-domain.js';
import { vfioGroupHeldByForeignProcess } from '../../../src/detectors/vfio-group-held-by-foreign-process.js';
import { mdevWithoutDomain } from '../../../src/detectors/mdev-without-domain.js';
import { libvirt, snapshot, ctx } from '../../support/node-snapshot.js';

const sh = async (script: string) => (await execa('sh', ['-c', script], { timeout: 10_000 })).stdout.trim();

describe("this machine's /sys and /proc", () => {
  it('finds every PCI device with the driver the kernel shows', async () => {
    const section = await readSysfs('/sys');
    const listed = (await sh('ls /sys/bus/pci/devices')).split('\n').filter(Boolean);
    assert.deepEqual(
      section.pciDevices.map((d) => d.address),
      listed,
    );
    for (const d of section.pciDevices) {
      const driver = await sh(`basename "$(readlink /sys/bus/pci/devices/${d.address}/driver)" 2>/dev/null || true`);
      assert.equal(d.driver ?? '', driver === '.' ? '' : driver, d.address);
      assert.equal(d.class, await sh(`cat /sys/bus/pci/devices/${d.address}/class`));
    }
    const sizes = (await sh('ls /sys/kernel/mm/hugepages')).split('\n').filter(Boolean);
    assert.equal(section.hugepages.length, sizes.length);
    for (const p of section.hugepages) {
      assert.equal(
        p.total.nr,
        Number(await sh(`cat /sys/kernel/mm/hugepages/hugepages-${p.pageSizeBytes / 1024}kB/nr_hugepages`)),
      );
    }
    assert.deepEqual(section.problems, []);
  });

  it('raises no vfio or mdev finding on a host without vfio-pci', async (context) => {
    const [sysfs, procfs] = await Promise.all([readSysfs('/sys'), readProcfs('/proc')]);
    if (sysfs.pciDevices.some((d) => d.driver === 'vfio-pci') || sysfs.mdevs.length > 0) {
      // Not a missing component: on such a host the findings may be real, so there is nothing to assert.
      context.skip('this host has vfio-pci devices or mdevs: findings may be real here');
    }
    const s = snapshot({ sysfs, procfs, libvirt: libvirt([]) });
    assert.deepEqual(vfioDeviceWithoutDomain.detect(s, ctx()), []);
    assert.deepEqual(vfioGroupHeldByForeignProcess.detect(s, ctx()), []);
    assert.deepEqual(mdevWithoutDomain.detect(s, ctx()), []);
  });
});
