import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isHostPath, parseImageHeader } from '../../../src/sources/pools/image-header.js';
import { resolveBacking } from '../../../src/sources/pools/read-image.js';
import { addInternalSnapshot, createQcow2, createRaw } from '../../support/qemu-img.js';

async function head(file: string): Promise<Buffer> {
  const h = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await h.read(buf, 0, 4096, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

describe('image header parser on images made by qemu-img', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-hdr-'));
    await createQcow2(path.join(dir, 'base.qcow2'));
    await createQcow2(path.join(dir, 'mid.qcow2'), { backing: 'base.qcow2' });
    await createQcow2(path.join(dir, 'top.qcow2'), { backing: path.join(dir, 'mid.qcow2') });
    await createRaw(path.join(dir, 'disk.img'));
    await createQcow2(path.join(dir, 'raw-backed.qcow2'), {
      backing: path.join(dir, 'disk.img'),
      backingFormat: 'raw',
    });
    await createQcow2(path.join(dir, 'snap.qcow2'));
    await addInternalSnapshot(path.join(dir, 'snap.qcow2'), 's1');
    await addInternalSnapshot(path.join(dir, 'snap.qcow2'), 's2');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a qcow2 without backing file', async () => {
    assert.deepEqual(parseImageHeader(await head(path.join(dir, 'base.qcow2')), 'base.qcow2'), {
      format: 'qcow2',
      backingName: null,
      backingNameAt: null,
      backingFormat: null,
      internalSnapshots: 0,
    });
  });

  it('reads a relative backing name and its format as stored', async () => {
    const h = parseImageHeader(await head(path.join(dir, 'mid.qcow2')), 'mid.qcow2');
    assert.equal(h.backingName, 'base.qcow2');
    assert.equal(h.backingFormat, 'qcow2');
    assert.equal(resolveBacking(path.join(dir, 'mid.qcow2'), 'base.qcow2'), path.join(dir, 'base.qcow2'));
  });

  it('reads an absolute backing name and a raw backing format', async () => {
    assert.equal(
      parseImageHeader(await head(path.join(dir, 'top.qcow2')), 'top.qcow2').backingName,
      path.join(dir, 'mid.qcow2'),
    );
    const rb = parseImageHeader(await head(path.join(dir, 'raw-backed.qcow2')), 'x');
    assert.equal(rb.backingName, path.join(dir, 'disk.img'));
    assert.equal(rb.backingFormat, 'raw');
  });

  it('counts internal snapshots from the header', async () => {
    assert.equal(parseImageHeader(await head(path.join(dir, 'snap.qcow2')), 'snap.qcow2').internalSnapshots, 2);
  });

  it('takes a file without a known magic for raw, and .iso by name', async () => {
    assert.equal(parseImageHeader(await head(path.join(dir, 'disk.img')), 'disk.img').format, 'raw');
    assert.equal(parseImageHeader(Buffer.alloc(512), 'installer.ISO').format, 'iso');
    assert.equal(
      parseImageHeader(Buffer.from('<domain/>\n'), 'vm.xml', 10).format,
      'other',
      'not whole sectors: not a disk',
    );
    assert.equal(parseImageHeader(Buffer.alloc(512), 'disk', 1024 * 1024).format, 'raw');
  });

  it('points at a backing name beyond the bytes given instead of guessing', async () => {
    const bytes = await readFile(path.join(dir, 'mid.qcow2'));
    const offset = Number(bytes.readBigUInt64BE(8));
    const h = parseImageHeader(bytes.subarray(0, offset), 'mid.qcow2');
    assert.equal(h.backingName, null);
    assert.deepEqual(h.backingNameAt, { offset, size: 'base.qcow2'.length });
  });

  it('rejects a cut-short or impossible qcow2 header with a clear error', async () => {
    const bytes = await readFile(path.join(dir, 'mid.qcow2'));
    assert.throws(() => parseImageHeader(bytes.subarray(0, 12), 'x'), /cut short/);
    const bad = Buffer.from(bytes.subarray(0, 4096));
    bad.writeUInt32BE(5000, 16);
    assert.throws(() => parseImageHeader(bad, 'x'), /at most 1023/);
    const v9 = Buffer.from(bytes.subarray(0, 4096));
    v9.writeUInt32BE(9, 4);
    assert.throws(() => parseImageHeader(v9, 'x'), /unknown qcow2 version 9/);
  });

  it('treats protocol and json: backing names as not host paths', () => {
    assert.equal(isHostPath('nbd://host/export'), false);
    assert.equal(isHostPath('json:{"file":{"driver":"nbd"}}'), false);
    assert.equal(isHostPath('rbd:pool/image'), false);
    assert.equal(isHostPath('../base.qcow2'), true);
    assert.equal(isHostPath('file:/var/lib/libvirt/images/b.qcow2'), true);
    assert.equal(resolveBacking('/p/a.qcow2', 'file:/q/b.qcow2'), '/q/b.qcow2');
    assert.equal(resolveBacking('/p/a.qcow2', 'nbd://h/e'), null);
  });
});
