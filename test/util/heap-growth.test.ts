// The fixed heap growth while lists run: set by the first list, given back by the last, left alone when the
// operator set it; and the kube lists hold it for exactly as long as they read (the repo's list/watch server).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { heapGrowthLimit, listHeapGrowth, operatorSetsHeapGrowth } from '../../src/util/heap-growth.js';
import { listResource } from '../../src/sources/kubevirt/list-pages.js';
import { loadKubeConfig } from '../../src/sources/kubevirt/kubeconfig.js';
import { WATCHED } from '../../src/sources/kubevirt/resources.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import * as k from '../support/kubevirt-objects.js';

type Obj = Parameters<KubeApiServer['create']>[1];

describe('heap growth while lists run', () => {
  it('the first hold sets the fixed growth, the last release gives V8 its own back, releasing twice is once', () => {
    const set: string[] = [];
    const limit = heapGrowthLimit((f) => set.push(f), false);
    const first = limit.hold();
    const second = limit.hold();
    assert.deepEqual(set, ['--heap-growing-percent=100']);
    first();
    first();
    assert.equal(limit.held(), true);
    assert.deepEqual(set, ['--heap-growing-percent=100']);
    second();
    assert.equal(limit.held(), false);
    assert.deepEqual(set, ['--heap-growing-percent=100', '--heap-growing-percent=0']);
    const third = limit.hold();
    third();
    assert.deepEqual(set.slice(2), ['--heap-growing-percent=100', '--heap-growing-percent=0']);
  });

  it("an operator's own setting is left alone", () => {
    const set: string[] = [];
    const limit = heapGrowthLimit((f) => set.push(f), true);
    limit.hold()();
    assert.deepEqual(set, []);
  });

  it('reads the setting from node options on its command line or in NODE_OPTIONS, in either spelling', () => {
    assert.equal(operatorSetsHeapGrowth(['--max-semi-space-size=2'], undefined), false);
    assert.equal(operatorSetsHeapGrowth(['--max-semi-space-size=2', '--heap-growing-percent=50'], undefined), true);
    assert.equal(operatorSetsHeapGrowth([], '--max-old-space-size=400  --heap_growing_percent=30'), true);
    assert.equal(operatorSetsHeapGrowth([], '--max-old-space-size=400'), false);
  });

  it('a kube list holds it while its pages are read and gives it back when it ends or fails', async () => {
    const api = new KubeApiServer();
    await api.start();
    try {
      const vms = WATCHED.find((s) => s.kind === 'vm');
      assert.ok(vms);
      for (let i = 0; i < 3; i++) api.create('vms', k.vm('default', `vm-${i}`, 'Running') as Obj);
      const kc = loadKubeConfig(k.writeKubeconfig(api.url));
      const heldWhileRead: boolean[] = [];
      const list = await listResource(vms, null, kc, (o) => {
        heldWhileRead.push(listHeapGrowth.held());
        return o;
      });
      assert.equal(list.items.length, 3);
      assert.deepEqual(heldWhileRead, [true, true, true]);
      assert.equal(listHeapGrowth.held(), false);
      api.faults.set('vms', 500);
      await assert.rejects(listResource(vms, null, kc));
      assert.equal(listHeapGrowth.held(), false);
    } finally {
      await api.stop();
    }
  });
});
