// The file identity the libvirt and pools sources share: what stat() gives, a missing file known
// missing, and a file that could not be looked at neither known to exist nor missing.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { statIdentity, unreadFile } from '../../../src/sources/shared/file-identity.js';
import { splitDev } from '../../../src/util/devnum.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-file-identity-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

test('statIdentity: identity of an existing file; a missing one is known missing, not an error', async () => {
  const file = path.join(work, 'disk.img');
  await writeFile(file, Buffer.alloc(8192, 1));
  const st = await stat(file);
  const { major, minor } = splitDev(st.dev);
  assert.deepEqual(await statIdentity(file), {
    path: file,
    exists: true,
    inode: st.ino,
    devMajor: major,
    devMinor: minor,
    sizeBytes: 8192,
    allocatedBytes: st.blocks * 512,
    mtimeSeconds: Math.floor(st.mtimeMs / 1000),
    error: null,
  });
  assert.deepEqual(await statIdentity(path.join(work, 'gone.img')), {
    path: path.join(work, 'gone.img'),
    exists: false,
    inode: null,
    devMajor: null,
    devMinor: null,
    sizeBytes: null,
    allocatedBytes: null,
    mtimeSeconds: null,
    error: null,
  });
});

test('statIdentity: a path that cannot be looked at is an error and not known missing', async () => {
  // ENOTDIR: a regular file used as a directory (unlike EACCES, root cannot bypass it).
  const file = path.join(work, 'plain');
  await writeFile(file, 'x');
  const got = await statIdentity(path.join(file, 'below.img'));
  assert.equal(got.exists, true);
  assert.match(got.error ?? '', /ENOTDIR|not a directory/i);
  assert.deepEqual({ ...got, error: null }, unreadFile(path.join(file, 'below.img'), null));
});
