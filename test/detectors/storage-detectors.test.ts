import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { orphanImage } from '../../src/detectors/orphan-image.js';
import { backingChainMissingLink } from '../../src/detectors/backing-chain-missing-link.js';
import { snapshotChainDeep } from '../../src/detectors/snapshot-chain-deep.js';
import { FindingsState } from '../../src/engine/findings-state.js';
import { defaultConfig } from '../../src/flags.js';
import {
  backedBy,
  ctx,
  disk,
  domain,
  fileStat,
  image,
  libvirt,
  NOW,
  pools,
  procfs,
  snapshot,
} from '../support/node-snapshot.js';
import { skipReason } from '../support/judge.js';

const P = '/var/lib/libvirt/images';

describe('orphan_image', () => {
  const base = image(`${P}/base.qcow2`);
  const web = image(`${P}/web.qcow2`, { backing: backedBy(`${P}/base.qcow2`) });
  const stray = image(`${P}/stray.qcow2`, { allocatedBytes: 123 << 20, backing: backedBy(`${P}/stray-base.qcow2`) });
  const strayBase = image(`${P}/stray-base.qcow2`, { allocatedBytes: 1 << 30 });
  const iso = image(`${P}/install.iso`, { format: 'iso', backing: null });

  it(
    'flags unreferenced images with their allocated bytes, and nothing a shut-off domain references through its ' +
      'header chain',
    () => {
      const off = domain('web', {
        state: 'shutoff',
        reason: 'shutdown',
        disks: [disk(`${P}/web.qcow2`), { ...disk(`${P}/install.iso`, [], 'sda'), device: 'cdrom' }],
      });
      const s = snapshot({
        libvirt: libvirt([off], [fileStat(`${P}/web.qcow2`, web.inode!)]),
        procfs: procfs([]),
        pools: pools([base, web, stray, strayBase, iso]),
      });
      const found = orphanImage.detect(s, ctx());
      assert.deepEqual(
        found.map((f) => [f.subject, f.reclaimable.diskBytes, f.labels]),
        [
          [`${P}/stray.qcow2`, 123 << 20, { image: `${P}/stray.qcow2`, pool: 'default', format: 'qcow2' }],
          [`${P}/stray-base.qcow2`, 1 << 30, { image: `${P}/stray-base.qcow2`, pool: 'default', format: 'qcow2' }],
        ],
      );
      assert.deepEqual(found[1]?.evidence.overlays, [`${P}/stray.qcow2`]);
    },
  );

  it("stays silent for a base only a running domain's live XML names (header chain unknown to the pools)", () => {
    const top = image('/srv/vm/top.qcow2', { pool: null });
    const run = domain('db', { disks: [disk('/srv/vm/top.qcow2', ['/srv/vm/mid.qcow2', `${P}/base.qcow2`])] });
    const s = snapshot({ libvirt: libvirt([run]), procfs: procfs([]), pools: pools([base], [top]) });
    assert.deepEqual(orphanImage.detect(s, ctx()), []);
  });

  it('matches by device and inode when a domain names the image through another path', () => {
    const d = domain('web', { state: 'shutoff', disks: [disk('/images-link/base.qcow2')] });
    const s = snapshot({
      libvirt: libvirt([d], [fileStat('/images-link/base.qcow2', base.inode!)]),
      procfs: procfs([]),
      pools: pools([base]),
    });
    assert.deepEqual(orphanImage.detect(s, ctx()), []);
  });

  it('resolves type=volume disks through the pool and counts boot files (kernel, initrd) as referenced', () => {
    const kernel = image(`${P}/vmlinuz`, { format: 'raw' });
    const d = domain('vol', {
      state: 'shutoff',
      bootFiles: [`${P}/vmlinuz`],
      disks: [
        { ...disk('', [], 'vda'), type: 'volume', source: null, volume: { pool: 'default', volume: 'web.qcow2' } },
      ],
    });
    const s = snapshot({ libvirt: libvirt([d]), procfs: procfs([]), pools: pools([base, web, kernel, stray]) });
    assert.deepEqual(
      orphanImage.detect(s, ctx()).map((f) => f.subject),
      [`${P}/stray.qcow2`],
    );
    const elsewhere = domain('vol2', {
      state: 'shutoff',
      disks: [{ ...disk('', [], 'vda'), type: 'volume', source: null, volume: { pool: 'iscsi', volume: 'lun1' } }],
    });
    assert.match(
      skipReason(orphanImage, snapshot({ libvirt: libvirt([elsewhere]), procfs: procfs([]), pools: pools([stray]) })) ??
        '',
      /^the backing chain of 1 disk\(s\) could not be read to its end \(first: vol2 vda\)/,
      'a volume in a pool not read: chain unknown, so the detector is skipped with the reason',
    );
  });

  it('counts the bytes of a file reachable under two names (a symlink in the pool) once', () => {
    const link = { ...stray, path: `${P}/stray-link.qcow2` };
    const found = orphanImage.detect(
      snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([stray, link]) }),
      ctx(),
    );
    assert.deepEqual(
      found.map((f) => [f.subject, f.reclaimable.diskBytes, f.evidence.sameFileAs]),
      [
        [`${P}/stray.qcow2`, 123 << 20, null],
        [`${P}/stray-link.qcow2`, 0, `${P}/stray.qcow2`],
      ],
    );
  });

  it('leaves install media and files that are not disk images alone', () => {
    const notes = image(`${P}/README.txt`, { format: 'other', allocatedBytes: 4096 });
    const lonelyIso = image(`${P}/debian.iso`, { format: 'iso' });
    assert.deepEqual(
      orphanImage.detect(
        snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([notes, lonelyIso]) }),
        ctx(),
      ),
      [],
    );
  });

  it("trusts a running domain's live XML as its whole chain, even for a disk outside every read directory", () => {
    const run = domain('db', { disks: [disk('/srv/vm/raw.img')] });
    const s = snapshot({
      libvirt: libvirt([run], [fileStat('/srv/vm/raw.img', 99)]),
      procfs: procfs([]),
      pools: pools([stray]),
    });
    assert.deepEqual(
      orphanImage.detect(s, ctx()).map((f) => f.subject),
      [`${P}/stray.qcow2`],
    );
    // Shut off, the same disk's chain is known only from headers, and raw.img is in no read directory.
    const off = domain('db', { state: 'shutoff', disks: [disk('/srv/vm/raw.img')] });
    const offSnapshot = snapshot({
      libvirt: libvirt([off], [fileStat('/srv/vm/raw.img', 99)]),
      procfs: procfs([]),
      pools: pools([stray]),
    });
    assert.match(skipReason(orphanImage, offSnapshot) ?? '', /could not be read to its end \(first: db vda\)/);
  });

  it('leaves images younger than --detect.orphan-min-age alone (a VM being created)', () => {
    const young = image(`${P}/new.qcow2`, { mtimeSeconds: NOW - 600 });
    const s = snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([young]) });
    assert.deepEqual(orphanImage.detect(s, ctx()), []);
    assert.equal(orphanImage.detect(s, ctx({ 'detect.orphan-min-age': 300 })).length, 1);
  });

  it('judges nothing when a defined domain has a chain it cannot follow, or libvirt is remote', () => {
    const unknown = domain('far', { state: 'shutoff', disks: [disk('/srv/elsewhere/top.qcow2')] });
    const s = snapshot({
      libvirt: libvirt([unknown], [fileStat('/srv/elsewhere/top.qcow2', 77)]),
      procfs: procfs([]),
      pools: pools([stray]),
    });
    assert.match(skipReason(orphanImage, s) ?? '', /^the backing chain of 1 disk\(s\) could not be read/);
    const remote = snapshot({
      libvirt: libvirt([], [], { uri: 'qemu+ssh://other/system', local: false }),
      procfs: procfs([]),
      pools: pools([stray]),
    });
    assert.match(skipReason(orphanImage, remote) ?? '', /^libvirt is remote \(qemu\+ssh:\/\/other\/system\)/);
  });

  it('is not evaluated at all while libvirt is down or stale: its last findings are kept, marked stale', () => {
    const state = new FindingsState(defaultConfig());
    const s = snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([stray]) });
    const first = state.evaluate(s).findings.filter((f) => f.kind === 'orphan_image');
    assert.equal(first.length, 1);
    const down = snapshot({ libvirt: libvirt([]), procfs: procfs([]), pools: pools([stray, strayBase]) });
    down.collectors.libvirt = {
      state: 'error',
      reason: 'virsh exited (1)',
      durationSeconds: 0,
      lastSuccessSeconds: NOW - 60,
      stale: true,
    };
    const result = state.evaluate(down);
    assert.equal(result.skipped.orphan_image, 'needs libvirt');
    assert.deepEqual(
      result.findings.filter((f) => f.kind === 'orphan_image').map((f) => [f.subject, f.stale]),
      [[`${P}/stray.qcow2`, true]],
    );
  });
});

describe('backing_chain_missing_link', () => {
  it('reports the image whose backing file is gone, once, with every domain that uses it', () => {
    const top = image(`${P}/top.qcow2`, {
      backing: { raw: '../old/base.qcow2', path: '/var/lib/libvirt/old/base.qcow2', format: 'qcow2' },
    });
    const gone = image('/var/lib/libvirt/old/base.qcow2', { pool: null, exists: false, inode: null });
    const a = domain('a', { state: 'shutoff', disks: [disk(`${P}/top.qcow2`)] });
    const b = domain('b', { state: 'shutoff', disks: [disk(`${P}/top.qcow2`, [], 'vdb')] });
    const s = snapshot({ libvirt: libvirt([a, b]), pools: pools([top], [gone]) });
    const found = backingChainMissingLink.detect(s, ctx());
    assert.equal(found.length, 1);
    assert.equal(found[0]?.subject, `${P}/top.qcow2`);
    assert.equal(found[0]?.evidence.missingBacking, '/var/lib/libvirt/old/base.qcow2');
    assert.equal(found[0]?.evidence.backingName, '../old/base.qcow2');
    assert.deepEqual(found[0]?.evidence.targets, ['a:vda', 'b:vdb']);
  });

  it('stays silent for a complete chain and for an unreferenced image with a missing backing file', () => {
    const base = image(`${P}/base.qcow2`);
    const top = image(`${P}/top.qcow2`, { backing: backedBy(`${P}/base.qcow2`) });
    const lone = image(`${P}/lone.qcow2`, { backing: backedBy('/gone.qcow2') });
    const s = snapshot({
      libvirt: libvirt([domain('a', { disks: [disk(`${P}/top.qcow2`)] })]),
      pools: pools([base, top, lone], [image('/gone.qcow2', { exists: false, pool: null })]),
    });
    assert.deepEqual(backingChainMissingLink.detect(s, ctx()), []);
  });
});

describe('snapshot_chain_deep', () => {
  const chain = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      image(`${P}/l${i}.qcow2`, { backing: i + 1 < n ? backedBy(`${P}/l${i + 1}.qcow2`) : null }),
    );

  it('reports a disk chain deeper than the limit with its layers', () => {
    const d = domain('deep', { state: 'shutoff', snapshots: 9, disks: [disk(`${P}/l0.qcow2`)] });
    const found = snapshotChainDeep.detect(snapshot({ libvirt: libvirt([d]), pools: pools(chain(10)) }), ctx());
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]?.labels, { domain: 'deep', uuid: d.uuid, target: 'vda' });
    assert.equal(found[0]?.evidence.depth, 10);
    assert.equal(found[0]?.evidence.chain.length, 10);
    assert.equal(found[0]?.evidence.libvirtSnapshots, 9);
    assert.equal(found[0]?.evidence.internalSnapshotsInChain, 0);
  });

  it('stays silent at exactly the limit, and counts the live XML chain when it is the longer view', () => {
    const d = domain('ok', { disks: [disk(`${P}/l0.qcow2`)] });
    assert.deepEqual(snapshotChainDeep.detect(snapshot({ libvirt: libvirt([d]), pools: pools(chain(8)) }), ctx()), []);
    const live = domain('live', {
      disks: [
        disk(
          '/srv/t.qcow2',
          Array.from({ length: 9 }, (_, i) => `/srv/b${i}.qcow2`),
        ),
      ],
    });
    assert.equal(
      snapshotChainDeep.detect(snapshot({ libvirt: libvirt([live]), pools: pools([]) }), ctx())[0]?.evidence.depth,
      10,
    );
  });

  it('stops on a chain that loops back on itself', () => {
    const a = image(`${P}/a.qcow2`, { backing: backedBy(`${P}/b.qcow2`) });
    const b = image(`${P}/b.qcow2`, { backing: backedBy(`${P}/a.qcow2`) });
    const d = domain('loop', { disks: [disk(`${P}/a.qcow2`)] });
    const found = snapshotChainDeep.detect(
      snapshot({ libvirt: libvirt([d]), pools: pools([a, b]) }),
      ctx({ 'detect.max-chain-depth': 1 }),
    );
    assert.equal(found[0]?.evidence.loop, true);
    assert.equal(found[0]?.evidence.depth, 2);
  });
});
