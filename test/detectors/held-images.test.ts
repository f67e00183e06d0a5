// An image some process holds open is never an orphan: the ghost qemu's disk belongs to its
// qemu_without_domain finding (with its bytes), a backup tool's read keeps it out; findings about one
// resource link to each other, and disk bytes are counted once across kinds.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { orphanImage } from '../../src/detectors/orphan-image.js';
import { qemuWithoutDomain } from '../../src/detectors/qemu-without-domain.js';
import { FindingsState } from '../../src/engine/findings-state.js';
import { defaultConfig } from '../../src/flags.js';
import {
  backedBy,
  ctx,
  domain,
  disk,
  fd,
  image,
  libvirt,
  NOW,
  pools,
  proc,
  procfs,
  snapshot,
} from '../support/node-snapshot.js';
import { skipReason } from '../support/judge.js';

const P = '/var/lib/libvirt/images';
const ghostCmd = (disk: string) => [
  '/usr/bin/qemu-system-x86_64',
  '-name',
  'guest=ghost',
  '-uuid',
  '11111111-2222-4333-8444-555555555555',
  '-m',
  '32',
  '-drive',
  `file=${disk}`,
];
const lockOn = (inode: number) => ({
  lockClass: 'OFDLCK',
  mode: 'ADVISORY',
  access: 'READ',
  pid: -1,
  devMajor: 8,
  devMinor: 1,
  inode,
  start: 100,
  end: 101,
  raw: `1: OFDLCK ADVISORY  READ -1 08:01:${inode} 100 101`,
});

describe('held images', () => {
  const ghostDisk = image(`${P}/ghost.qcow2`, { allocatedBytes: 300 << 20 });
  const leftover = image(`${P}/leftover.qcow2`, { allocatedBytes: 50 << 20 });
  const ghost = proc(4242, 'qemu-system-x86', ghostCmd(ghostDisk.path), { rssBytes: 48 << 20 });
  const ghostFd = fd(4242, 11, ghostDisk.path, {
    inode: ghostDisk.inode,
    devMajor: 8,
    devMinor: 1,
    locks: [lockOn(ghostDisk.inode!)],
  });

  it("reports a ghost qemu's disk under the qemu, with its bytes and lock, and never as orphan_image", () => {
    const s = snapshot({
      libvirt: libvirt([]),
      pools: pools([ghostDisk, leftover]),
      procfs: procfs([ghost], [ghostFd]),
    });
    assert.deepEqual(
      orphanImage.detect(s, ctx()).map((f) => f.subject),
      [leftover.path],
    );
    const [q] = qemuWithoutDomain.detect(s, ctx());
    assert.ok(q);
    assert.deepEqual(q.evidence.disks, [
      { path: ghostDisk.path, allocatedBytes: 300 << 20, referencedBy: [], locks: [lockOn(ghostDisk.inode!).raw] },
    ]);
    assert.equal(q.reclaimable.diskBytes, 300 << 20);
  });

  it('once the process is gone, the same old image is an orphan', () => {
    const s = snapshot({ libvirt: libvirt([]), pools: pools([ghostDisk]), procfs: procfs([]) });
    assert.deepEqual(
      orphanImage.detect(s, ctx()).map((f) => [f.subject, f.reclaimable.diskBytes]),
      [[ghostDisk.path, 300 << 20]],
    );
  });

  it('an image a non-qemu process reads (dd, a backup tool) is no orphan while it is held', () => {
    const dd = proc(777, 'dd', ['dd', `if=${leftover.path}`, 'of=/backup/x']);
    const s = snapshot({
      libvirt: libvirt([]),
      pools: pools([leftover]),
      procfs: procfs([dd], [fd(777, 3, leftover.path, { inode: leftover.inode, devMajor: 8, devMinor: 1 })]),
    });
    assert.deepEqual(orphanImage.detect(s, ctx()), []);
    // A deleted-and-recreated path with another inode is not held by that fd.
    const other = procfs([dd], [fd(777, 3, leftover.path, { inode: 999_999, devMajor: 8, devMinor: 1 })]);
    assert.equal(
      orphanImage.detect(snapshot({ libvirt: libvirt([]), pools: pools([leftover]), procfs: other }), ctx()).length,
      1,
    );
  });

  it('waits while anything in the chain is held: an overlay held keeps its base, a base held keeps its overlay', () => {
    const base = image(`${P}/base.qcow2`);
    const top = image(`${P}/top.qcow2`, { backing: backedBy(base.path) });
    const reader = proc(800, 'qemu-img', ['qemu-img', 'convert', top.path, '/tmp/out.raw']);
    const holdTop = procfs([reader], [fd(800, 5, top.path, { inode: top.inode, devMajor: 8, devMinor: 1 })]);
    assert.deepEqual(
      orphanImage.detect(snapshot({ libvirt: libvirt([]), pools: pools([base, top]), procfs: holdTop }), ctx()),
      [],
    );
    const holdBase = procfs([reader], [fd(800, 5, base.path, { inode: base.inode, devMajor: 8, devMinor: 1 })]);
    assert.deepEqual(
      orphanImage.detect(snapshot({ libvirt: libvirt([]), pools: pools([base, top]), procfs: holdBase }), ctx()),
      [],
    );
    const nobody = orphanImage.detect(
      snapshot({ libvirt: libvirt([]), pools: pools([base, top]), procfs: procfs([]) }),
      ctx(),
    );
    assert.deepEqual(
      nobody.map((f) => [f.subject, f.evidence.backingChain]),
      [
        [base.path, []],
        [top.path, [base.path]],
      ],
    );
  });

  it('never judges without /proc, or with a restricted /proc', () => {
    const noProc = snapshot({ libvirt: libvirt([]), pools: pools([leftover]) });
    noProc.collectors.procfs = {
      state: 'absent',
      reason: 'off',
      durationSeconds: 0,
      lastSuccessSeconds: null,
      stale: false,
    };
    assert.equal(skipReason(orphanImage, noProc), 'needs procfs');
    const hidden = snapshot({
      libvirt: libvirt([]),
      pools: pools([leftover]),
      procfs: procfs([], [], { restricted: true }),
    });
    assert.match(skipReason(orphanImage, hidden) ?? '', /hidepid/);
  });

  it('files named only by snapshot metadata are not orphans', () => {
    const p = { ...pools([leftover]), snapshotReferences: [leftover.path], snapshotMetadataFiles: 1 };
    assert.deepEqual(orphanImage.detect(snapshot({ libvirt: libvirt([]), pools: p, procfs: procfs([]) }), ctx()), []);
  });

  it('carries what was checked, so a person can repeat it', () => {
    const off = domain('web', { state: 'shutoff', disks: [disk(`${P}/web.qcow2`)] });
    const p = { ...pools([leftover, image(`${P}/web.qcow2`)]), snapshotMetadataFiles: 3 };
    const [f] = orphanImage.detect(
      snapshot({ libvirt: libvirt([off]), pools: p, procfs: procfs([proc(9, 'sshd')]) }),
      ctx(),
    );
    assert.deepEqual(f?.evidence.checked, { domainDefinitions: 1, snapshotMetadataFiles: 3, processes: 2 });
  });

  it("a ghost holding a shut-off domain's image: no reclaimable bytes, linked to the lock finding", () => {
    const d = domain('web', { state: 'shutoff', reason: 'shutdown', disks: [disk(ghostDisk.path)] });
    const stat = {
      path: ghostDisk.path,
      exists: true,
      inode: ghostDisk.inode,
      devMajor: 8,
      devMinor: 1,
      sizeBytes: 1,
      allocatedBytes: 300 << 20,
      mtimeSeconds: NOW - 86400,
      error: null,
    };
    const locks = [{ ...lockOn(ghostDisk.inode!), ordinal: 1 }];
    const s = snapshot({
      libvirt: libvirt([d], [stat]),
      pools: pools([ghostDisk]),
      procfs: procfs([ghost], [ghostFd], { locks }),
    });
    const result = new FindingsState(defaultConfig()).evaluate(s);
    const byKind = new Map(result.findings.map((f) => [f.kind, f]));
    const q = byKind.get('qemu_without_domain');
    const lock = byKind.get('image_locked_while_domain_inactive');
    assert.ok(q && lock, result.findings.map((f) => f.kind).join());
    assert.equal(q.reclaimable.diskBytes, 0, "the image is web's, not the ghost's");
    assert.deepEqual(
      lock.related.map((r) => r.kind),
      ['qemu_without_domain'],
    );
    assert.ok(q.related.some((r) => r.kind === 'image_locked_while_domain_inactive' && r.subject === ghostDisk.path));
    assert.equal(byKind.has('orphan_image'), false);
  });

  it('disk bytes summed over all kinds equal the distinct files, a hard link counted once', () => {
    const link = {
      ...image(`${P}/leftover-link.qcow2`),
      inode: leftover.inode,
      allocatedBytes: leftover.allocatedBytes,
    };
    const s = snapshot({
      libvirt: libvirt([]),
      pools: pools([ghostDisk, leftover, link]),
      procfs: procfs([ghost], [ghostFd]),
    });
    const found = [...orphanImage.detect(s, ctx()), ...qemuWithoutDomain.detect(s, ctx())];
    const total = found.reduce((n, f) => n + (f.reclaimable.diskBytes ?? 0), 0);
    assert.equal(total, (300 << 20) + (50 << 20));
  });
});
