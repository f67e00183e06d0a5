// Tables for vsphere_snapshot_stale and vsphere_snapshot_chain_deep.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vsphereSnapshotStale } from '../../src/detectors/vsphere-snapshot-stale.js';
import { vsphereSnapshotChainDeep } from '../../src/detectors/vsphere-snapshot-chain-deep.js';
import type { VsphereSnapshot } from '../../src/snapshot/vsphere.js';
import { HOUR, NOW, ctx, snapshotOf, summary, vcenter, vm } from './vsphere-fixture.js';

/** A straight chain of snapshots, root first, with the given ages in hours. */
function chain(...ages: number[]): VsphereSnapshot[] {
  return ages.map((age, i) => ({
    moid: `snapshot-${i}`,
    name: `s${i}`,
    createTime: NOW - age * HOUR,
    depth: i + 1,
    parent: i === 0 ? null : i - 1,
  }));
}

describe('vsphere_snapshot_stale', () => {
  it('reports snapshots past 72h, since they crossed it, with the files only they hold', () => {
    const s = snapshotOf(
      vcenter({
        vms: [vm('old', { snapshots: chain(100, 10) }), vm('young', { snapshots: chain(71) }), vm('none')],
        files: {
          layoutsAt: NOW,
          layoutError: null,
          datastores: [],
          layouts: [
            {
              vm: 'vm-old',
              files: [
                { name: '[ds1] old/old-000001-delta.vmdk', type: 'diskExtent', sizeBytes: 5e9 },
                { name: '[ds1] old/old-Snapshot1.vmsn', type: 'snapshotData', sizeBytes: 1e6 },
              ],
              snapshotFiles: { 'snapshot-0': ['[ds1] old/old-000001-delta.vmdk', '[ds1] old/old-Snapshot1.vmsn'] },
            },
          ],
        },
      }),
    );
    const f = vsphereSnapshotStale.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_snapshot_stale old / s0']);
    assert.deepEqual(f[0]?.labels, { vcenter: 'vc1:443', vm: 'old', snapshot: 's0' });
    assert.equal(f[0]?.since, NOW - 100 * HOUR + 72 * HOUR);
    assert.deepEqual(f[0]?.reclaimable, { diskBytes: 5e9 + 1e6 });
  });

  it('follows --detect.snapshot-max-age and tells apart snapshots of the same name', () => {
    const snaps = chain(30, 20).map((x) => ({ ...x, name: 'daily' }));
    const s = snapshotOf(vcenter({ vms: [vm('db', { snapshots: snaps })] }));
    assert.deepEqual(summary(vsphereSnapshotStale.detect(s, ctx({ 'detect.snapshot-max-age': 24 * HOUR }))), [
      'vsphere_snapshot_stale db / daily (snapshot-0)',
    ]);
    assert.deepEqual(vsphereSnapshotStale.detect(s, ctx()), []);
  });
});

describe('vsphere_snapshot_chain_deep', () => {
  it('reports a tree deeper than 3 with its chain; 3 deep and wide trees stay silent', () => {
    const wide: VsphereSnapshot[] = [0, 1, 2, 3, 4].map((i) => ({
      moid: `w${i}`,
      name: `w${i}`,
      createTime: NOW,
      depth: 1,
      parent: null,
    }));
    const s = snapshotOf(
      vcenter({
        vms: [
          vm('deep', { snapshots: chain(4, 3, 2, 1) }),
          vm('three', { snapshots: chain(3, 2, 1) }),
          vm('wide', { snapshots: wide }),
        ],
      }),
    );
    const f = vsphereSnapshotChainDeep.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_snapshot_chain_deep deep']);
    assert.deepEqual(f[0]?.evidence.chain, ['s0', 's1', 's2', 's3']);
    assert.equal(f[0]?.evidence.depth, 4);
    assert.deepEqual(
      vsphereSnapshotChainDeep
        .detect(s, ctx({ 'detect.snapshot-max-depth': 2 }))
        .map((x) => x.subject)
        .sort(),
      ['deep', 'three'],
    );
  });
});
