// The cluster agent's PersistentVolume watch: the CSI volume handles the vSphere family's orphan-FCD
// rule joins on, read from the test API server over list/watch; in-tree volumes carry none.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import { waitFor } from '../../support/wait.js';
import type { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const pv = (name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec }) as unknown as Obj;

describe('kube source: PersistentVolume volume handles', () => {
  let api: KubeApiServer;
  let r: KubeReader | null = null;
  afterEach(async () => {
    await r?.close();
    await api.stop();
  });

  it('reads the CSI driver and volume handle of each PV, follows the watch, and skips in-tree volumes', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create(
      'pvs',
      pv('pvc-1', { csi: { driver: 'csi.vsphere.vmware.com', volumeHandle: '5b3b4b7a-9c1e-4a53-8a43-3b6a3f3d7c11' } }),
    );
    api.create('pvs', pv('legacy', { vsphereVolume: { volumePath: '[ds1] kubevols/legacy.vmdk' } }));
    r = testKubeReader(api, 0.2);
    const first = await r.read(AbortSignal.timeout(5000));
    assert.deepEqual(first.pvVolumeHandles, [
      { name: 'pvc-1', driver: 'csi.vsphere.vmware.com', volumeHandle: '5b3b4b7a-9c1e-4a53-8a43-3b6a3f3d7c11' },
    ]);
    assert.ok(!first.problems.some((p) => p.includes('persistentvolumes')), first.problems.join('; '));
    api.create('pvs', pv('pvc-2', { csi: { driver: 'csi.vsphere.vmware.com', volumeHandle: 'aaaa-2' } }));
    await waitFor('the watched PV', async () =>
      ((await (r as KubeReader).read(AbortSignal.timeout(5000))).pvVolumeHandles ?? []).some(
        (h) => h.volumeHandle === 'aaaa-2',
      ),
    );
  });
});
