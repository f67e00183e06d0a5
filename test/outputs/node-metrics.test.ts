import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FindingsState } from '../../src/engine/findings-state.js';
import { defaultConfig } from '../../src/flags.js';
import { storageMetrics } from '../../src/outputs/metrics/storage-metrics.js';
import { deviceMetrics } from '../../src/outputs/metrics/device-metrics.js';
import { parsePromText, series, value } from '../support/prom-text.js';
import {
  backedBy,
  ctx,
  disk,
  domain,
  fd,
  image,
  libvirt,
  pci,
  pools,
  proc,
  procfs,
  snapshot,
  sysfs,
} from '../support/node-snapshot.js';
import { vfioDeviceWithoutDomain } from '../../src/detectors/vfio-device-without-domain.js';

async function scrape(registry: Registry) {
  return parsePromText(await registry.metrics());
}

describe('storage and device metrics', () => {
  it('count pool images per format and rebuild series so a removed image or device leaves none behind', async () => {
    const registry = new Registry();
    const storage = storageMetrics(registry, defaultConfig());
    const devices = deviceMetrics(registry, defaultConfig());
    const P = '/var/lib/libvirt/images';
    const base = image(`${P}/base.qcow2`, { allocatedBytes: 1000 });
    const top = image(`${P}/top.qcow2`, { allocatedBytes: 24, backing: backedBy(`${P}/base.qcow2`) });
    const iso = image(`${P}/x.iso`, { format: 'iso', allocatedBytes: 5 });
    const vm = domain('vm', {
      hostdevs: [{ type: 'pci', address: '0000:02:00.0', managed: true }],
      disks: [disk(`${P}/top.qcow2`)],
      snapshots: 3,
    });
    const first = snapshot({
      pools: pools([base, top, iso]),
      libvirt: libvirt([vm]),
      procfs: procfs([]),
      sysfs: sysfs({
        pciDevices: [
          pci('0000:01:00.0', { iommuGroup: '12' }),
          pci('0000:02:00.0', { iommuGroup: '13' }),
          pci('0000:03:00.0', { driver: 'nvidia' }),
          pci('0000:00:1f.0', { class: '0x060100', driver: 'lpc_ich' }),
        ],
      }),
    });
    const judged = (snap: typeof first) => new FindingsState(defaultConfig()).evaluate(snap);
    storage.update(first);
    devices.update(first, judged(first));
    let s = await scrape(registry);
    assert.equal(value(s, 'vmzombie_pool_images', { pool: 'default', format: 'qcow2' }), 2);
    assert.equal(value(s, 'vmzombie_pool_images', { pool: 'default', format: 'iso' }), 1);
    assert.equal(value(s, 'vmzombie_pool_image_bytes', { pool: 'default' }), 1029);
    assert.equal(value(s, 'vmzombie_domain_disk_chain_depth', { domain: 'vm', target: 'vda' }), 2);
    assert.equal(value(s, 'vmzombie_domain_snapshots', { domain: 'vm' }), 3);
    assert.deepEqual(
      series(s, 'vmzombie_pci_device_info')
        .map((x) => `${x.labels.address} ${x.labels.driver} ${x.labels.class} ${x.labels.iommu_group}`)
        .sort(),
      ['0000:01:00.0 vfio-pci gpu 12', '0000:02:00.0 vfio-pci gpu 13', '0000:03:00.0 nvidia gpu '],
      'the ISA bridge is left out',
    );
    assert.equal(value(s, 'vmzombie_vfio_devices', { state: 'assigned' }), 1);
    assert.equal(value(s, 'vmzombie_vfio_devices', { state: 'unassigned' }), 1);
    // A process holding group 12 makes 0000:01:00.0 in use, by the same rule vfio_device_without_domain uses.
    const held = { ...first, procfs: procfs([proc(77, 'vfio-user')], [fd(77, 5, '/dev/vfio/12')]) };
    devices.update(held, judged(held));
    s = await scrape(registry);
    assert.equal(value(s, 'vmzombie_vfio_devices', { state: 'unassigned' }), 0);
    assert.deepEqual(vfioDeviceWithoutDomain.detect(held, ctx()), []);
    // With hidepid the detector cannot judge, and neither does the metric: no assigned/unassigned series.
    const hidden = { ...first, procfs: { ...procfs([]), restricted: true } };
    devices.update(hidden, judged(hidden));
    s = await scrape(registry);
    assert.equal(series(s, 'vmzombie_vfio_devices').length, 0);
    assert.equal(series(s, 'vmzombie_pci_device_info').length, 3, 'the inventory itself needs no judgement');

    const second = snapshot({
      pools: pools([base]),
      libvirt: libvirt([]),
      procfs: procfs([]),
      sysfs: sysfs({ pciDevices: [] }),
    });
    storage.update(second);
    devices.update(second, judged(second));
    s = await scrape(registry);
    assert.equal(series(s, 'vmzombie_pool_images', { format: 'iso' }).length, 0);
    assert.equal(series(s, 'vmzombie_domain_disk_chain_depth').length, 0);
    assert.equal(series(s, 'vmzombie_pci_device_info').length, 0);
    assert.equal(value(s, 'vmzombie_vfio_devices', { state: 'unassigned' }), 0);
  });
});
