// stat() of a file into the identity the libvirt and pools sections share: device, inode, size,
// allocation and mtime, or why it could not be looked at.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileIdentity } from '../../snapshot/file-identity.js';
import { splitDev } from '../../util/devnum.js';
import { describeError, errorCode } from '../../util/fs-errors.js';

/**
 * A file with nothing read: missing (`exists` false, no error), or one we could not look at (an
 * error, and `exists` true: neither known to exist nor known missing, so no detector judges it).
 */
export function unreadFile(p: string, error: string | null, exists = true): FileIdentity {
  return {
    path: p,
    exists,
    inode: null,
    devMajor: null,
    devMinor: null,
    sizeBytes: null,
    allocatedBytes: null,
    mtimeSeconds: null,
    error,
  };
}

/** The identity a stat() result gives. */
export function identityOf(p: string, st: Stats): FileIdentity {
  const { major, minor } = splitDev(st.dev);
  return {
    path: p,
    exists: true,
    inode: st.ino,
    devMajor: major,
    devMinor: minor,
    sizeBytes: st.size,
    allocatedBytes: st.blocks * 512,
    mtimeSeconds: Math.floor(st.mtimeMs / 1000),
    error: null,
  };
}

/** stat() of one path: a missing file is known missing, not an error. */
export async function statIdentity(p: string): Promise<FileIdentity> {
  try {
    return identityOf(p, await stat(p));
  } catch (e: unknown) {
    return errorCode(e) === 'ENOENT' ? unreadFile(p, null, false) : unreadFile(p, describeError(e));
  }
}
