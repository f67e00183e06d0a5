// The longhorn source on a real directory tree shaped like a Longhorn disk: allocated bytes per replica
// directory (sparse image files count what they hold, not their length) and volume.meta's size.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseVolumeMetaSize, readLonghorn } from '../../../src/sources/longhorn/longhorn-source.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';

describe('longhorn source', () => {
  let root = '';
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('measures each replica directory by its allocated blocks, and reads volume.meta', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'vmz-longhorn-'));
    const replica = path.join(root, 'replicas', 'pvc-5c0f2b8e-d1a2b3c4');
    await mkdir(replica, { recursive: true });
    // A 1 GiB sparse head with 1 MiB written, as a thin Longhorn replica looks.
    const head = await open(path.join(replica, 'volume-head-000.img'), 'w');
    await head.truncate(2 ** 30);
    await head.write(Buffer.alloc(2 ** 20, 1), 0, 2 ** 20, 0);
    await head.close();
    await writeFile(
      path.join(replica, 'volume.meta'),
      JSON.stringify({ Size: 2 ** 30, Head: 'volume-head-000.img', Dirty: true, Rebuilding: false }),
    );
    await writeFile(path.join(replica, 'revision.counter'), '7');
    await mkdir(path.join(root, 'replicas', 'pvc-empty-00000000'));
    const expected = await Promise.all(
      ['volume-head-000.img', 'volume.meta', 'revision.counter'].map(
        async (f) => (await stat(path.join(replica, f))).blocks * 512,
      ),
    );
    const s = await readLonghorn(root);
    assert.deepEqual(s, {
      dataRoot: root,
      replicas: [
        {
          name: 'pvc-5c0f2b8e-d1a2b3c4',
          allocatedBytes: expected.reduce((a, b) => a + b, 0),
          volumeSizeBytes: 2 ** 30,
        },
        { name: 'pvc-empty-00000000', allocatedBytes: 0, volumeSizeBytes: null },
      ],
      problems: [],
    });
    assert.ok((s.replicas[0]?.allocatedBytes ?? 0) < 2 ** 29, 'a sparse image counts what it holds');
  });

  it('is absent without a replicas directory', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'vmz-longhorn-'));
    await assert.rejects(readLonghorn(root), (e: unknown) => isSourceAbsentError(e));
    assert.equal(parseVolumeMetaSize('not json'), null);
  });
});
