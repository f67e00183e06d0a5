// One image file: its stat() identity and what its header says (format, internal snapshots, the
// backing file it names). Read-only: opened O_RDONLY (O_NOATIME when allowed) and never locked.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileIdentity } from '../../snapshot/file-identity.js';
import type { ImageFile } from '../../snapshot/pools.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { identityOf, unreadFile } from '../shared/file-identity.js';
import type { HeaderCache } from './header-cache.js';
import { HEADER_READ_BYTES, isHostPath, parseImageHeader } from './image-header.js';

/** Where a backing name points, the way QEMU resolves it: relative to the overlay's directory. */
export function resolveBacking(imagePath: string, raw: string): string | null {
  if (!isHostPath(raw)) return null;
  const name = raw.startsWith('file:') ? raw.slice(5) : raw;
  return path.isAbsolute(name) ? path.normalize(name) : path.join(path.dirname(imagePath), name);
}

/** An image record whose header was not read (yet): format unknown, no backing. */
export function imageOf(identity: FileIdentity, pool: string | null): ImageFile {
  return { ...identity, pool, format: 'unknown', backing: null, internalSnapshots: null };
}

/** stat + header of one file; null for what is not a regular file (a directory, a socket). */
export async function readImage(
  p: string,
  pool: string | null,
  missingOk = false,
  cache?: HeaderCache,
): Promise<ImageFile | null> {
  let st: Stats;
  try {
    st = await stat(p);
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT') return missingOk ? imageOf(unreadFile(p, null, false), pool) : null;
    return imageOf(unreadFile(p, describeError(e)), pool);
  }
  if (!st.isFile()) return st.isBlockDevice() || !missingOk ? null : imageOf(unreadFile(p, 'not a regular file'), pool);
  const file = imageOf(identityOf(p, st), pool);
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const cached = cache?.get(p, key);
  if (cached) return { ...file, ...cached };
  try {
    const header = await readHeader(p);
    let parsed, name;
    try {
      parsed = parseImageHeader(header.head, p, st.size);
      name =
        parsed.backingName ??
        (parsed.backingNameAt ? await header.readAt(parsed.backingNameAt.offset, parsed.backingNameAt.size) : null);
    } finally {
      await header.close();
    }
    file.format = parsed.format;
    file.internalSnapshots = parsed.internalSnapshots;
    file.backing = name === null ? null : { raw: name, path: resolveBacking(p, name), format: parsed.backingFormat };
  } catch (e: unknown) {
    file.error = `header: ${describeError(e)}`;
  }
  cache?.set(p, key, {
    format: file.format,
    internalSnapshots: file.internalSnapshots,
    backing: file.backing,
    error: file.error,
  });
  return file;
}

async function readHeader(p: string) {
  let handle;
  try {
    handle = await open(p, constants.O_RDONLY | constants.O_NOATIME);
  } catch (e: unknown) {
    // O_NOATIME needs ownership or CAP_FOWNER; without it, a plain read-only open.
    if (errorCode(e) !== 'EPERM') throw e;
    handle = await open(p, constants.O_RDONLY);
  }
  const h = handle;
  try {
    const head = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await h.read(head, 0, HEADER_READ_BYTES, 0);
    return {
      head: head.subarray(0, bytesRead),
      readAt: async (offset: number, size: number) => {
        const buf = Buffer.alloc(size);
        const r = await h.read(buf, 0, size, offset);
        if (r.bytesRead !== size) throw new Error('backing file name beyond the end of the file');
        return buf.toString('utf8');
      },
      close: () => h.close(),
    };
  } catch (e: unknown) {
    await h.close();
    throw e;
  }
}
