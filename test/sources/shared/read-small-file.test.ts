// readSmallFile gives what readFileSync(file, 'utf8') gives, for files that fit its buffer and files that do not.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSmallFile } from '../../../src/sources/shared/read-small-file.js';

test('readSmallFile reads a small file, an empty one, and one larger than its buffer', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-small-'));
  const texts = {
    small: '42 (qemu-system-x86) S 1 42 42 0 -1\n',
    empty: '',
    // A two-byte character across the end of the buffer.
    large: 'x'.repeat(16 * 1024 - 1) + 'é and more after the buffer\n'.repeat(100),
  };
  for (const [name, text] of Object.entries(texts)) {
    await writeFile(path.join(dir, name), text);
    assert.equal(readSmallFile(path.join(dir, name)), text, name);
  }
  assert.throws(() => readSmallFile(path.join(dir, 'missing')), /ENOENT/);
  assert.throws(() => readSmallFile(dir), /EISDIR/);
});
