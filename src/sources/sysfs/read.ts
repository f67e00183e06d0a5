// Small helpers to read sysfs attributes: a missing attribute is null, not an error (sysfs shapes
// vary by kernel, driver and device), and a directory that is not there lists as empty.
// The reads are synchronous: the attributes read here (ids, driver links, hugepage counters, a
// net device's flags and address) are values the kernel keeps in memory, answered in microseconds,
// where a read through libuv's thread pool costs four round trips (open, fstat, read, close).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { errorCode } from '../../util/fs-errors.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'EINVAL']);

export async function attr(file: string): Promise<string | null> {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e: unknown) {
    if (MISSING.has(errorCode(e) ?? '')) return null;
    throw e;
  }
}

export async function intAttr(file: string): Promise<number | null> {
  const text = await attr(file);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** Last part of a symlink's target (`driver` → vfio-pci, `iommu_group` → 12); null when absent. */
export async function linkName(file: string): Promise<string | null> {
  try {
    return path.basename(readlinkSync(file));
  } catch (e: unknown) {
    if (MISSING.has(errorCode(e) ?? '')) return null;
    throw e;
  }
}

export async function list(dir: string): Promise<string[]> {
  try {
    return readdirSync(dir).sort();
  } catch (e: unknown) {
    if (MISSING.has(errorCode(e) ?? '')) return [];
    throw e;
  }
}
