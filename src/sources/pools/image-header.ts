// Pure parser of the first bytes of a disk image: its format by magic number and, for qcow2, the
// backing file name and format and the internal snapshot count (docs/interop/qcow2.txt in QEMU).
import type { ImageFormat } from '../../snapshot/pools.js';

/** Bytes read from the start of each image; a qcow2 backing name outside them is read separately. */
export const HEADER_READ_BYTES = 4096;

const QCOW_MAGIC = 0x514649fb; // "QFI\xfb"
const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
/** QEMU refuses backing names longer than 1023 bytes. */
const MAX_BACKING_NAME = 1023;

export interface ImageHeader {
  format: ImageFormat;
  /** For qcow2: where the backing name lies, when it is not inside the bytes given. */
  backingName: string | null;
  backingNameAt: { offset: number; size: number } | null;
  backingFormat: string | null;
  internalSnapshots: number | null;
}

const readU32 = (b: Buffer, at: number) => (at + 4 <= b.length ? b.readUInt32BE(at) : null);

function readU64(b: Buffer, at: number): number | null {
  if (at + 8 > b.length) return null;
  const v = b.readBigUInt64BE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}

/** Parses the header bytes; throws on a qcow2 header that is cut short or inconsistent. */
export function parseImageHeader(head: Buffer, fileName: string, sizeBytes: number | null = null): ImageHeader {
  const none = { backingName: null, backingNameAt: null, backingFormat: null, internalSnapshots: null };
  const magic = readU32(head, 0);
  if (magic === QCOW_MAGIC) return parseQcow(head);
  if (
    head.subarray(0, 4).toString('latin1') === 'KDMV' ||
    head.subarray(0, 21).toString('latin1') === '# Disk DescriptorFile'
  )
    return { format: 'vmdk', ...none };
  if (head.subarray(0, 8).toString('latin1') === 'vhdxfile') return { format: 'vhdx', ...none };
  if (head.subarray(0, 8).toString('latin1') === 'conectix') return { format: 'vpc', ...none };
  if (readU32(head, 64) === 0xbeda107f) return { format: 'vdi', ...none };
  if (/\.iso$/i.test(fileName)) return { format: 'iso', ...none };
  // Raw disks are whole sectors; a file that is not is something else kept in the directory.
  if (sizeBytes !== null && sizeBytes % 512 !== 0) return { format: 'other', ...none };
  return { format: 'raw', ...none };
}

function parseQcow(head: Buffer): ImageHeader {
  const version = readU32(head, 4);
  const backingOffset = readU64(head, 8);
  const backingSize = readU32(head, 16);
  if (version === null || backingOffset === null || backingSize === null) throw new Error('qcow2 header cut short');
  if (version === 1) {
    // qcow (v1): backing offset/size at the same place; no snapshots, no extensions.
    return {
      format: 'qcow',
      ...backingName(head, backingOffset, backingSize),
      backingFormat: null,
      internalSnapshots: null,
    };
  }
  if (version !== 2 && version !== 3) throw new Error(`unknown qcow2 version ${version}`);
  const snapshots = readU32(head, 60);
  if (snapshots === null) throw new Error('qcow2 header cut short');
  const headerLength = version === 3 ? readU32(head, 100) : 72;
  let backingFormat: string | null = null;
  if (headerLength !== null && backingOffset !== 0) {
    // Header extensions run from the end of the header to the backing name (or the first cluster's end).
    const limit = Math.min(head.length, backingOffset);
    for (let at = headerLength; at + 8 <= limit;) {
      const type = head.readUInt32BE(at);
      const len = head.readUInt32BE(at + 4);
      if (type === EXT_END || at + 8 + len > limit) break;
      if (type === EXT_BACKING_FORMAT) backingFormat = head.subarray(at + 8, at + 8 + len).toString('utf8');
      at += 8 + Math.ceil(len / 8) * 8;
    }
  }
  return {
    format: 'qcow2',
    ...backingName(head, backingOffset, backingSize),
    backingFormat,
    internalSnapshots: snapshots,
  };
}

function backingName(head: Buffer, offset: number, size: number): Pick<ImageHeader, 'backingName' | 'backingNameAt'> {
  if (offset === 0 || size === 0) return { backingName: null, backingNameAt: null };
  if (size > MAX_BACKING_NAME)
    throw new Error(`backing file name of ${size} bytes (qcow2 allows at most ${MAX_BACKING_NAME})`);
  if (offset + size <= head.length)
    return { backingName: head.subarray(offset, offset + size).toString('utf8'), backingNameAt: null };
  return { backingName: null, backingNameAt: { offset, size } };
}

/** Protocol and json: backing names (nbd://, rbd:, json:{…}) are not host files. */
export function isHostPath(name: string): boolean {
  if (name.startsWith('json:')) return false;
  return !/^[a-z][a-z0-9+.-]*:/i.test(name) || name.startsWith('file:');
}
