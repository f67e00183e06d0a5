// Splits a st_dev value into major/minor the way glibc's gnu_dev_major/minor do, so it can be
// compared with the "maj:min" the kernel prints in /proc/locks.
export function splitDev(dev: number | bigint): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}
