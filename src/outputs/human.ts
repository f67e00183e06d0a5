// Numbers in the units a person reads: ages ("3 h 12 min"), dates in UTC, bytes (MiB, GiB) and what
// a finding holds ("1 vCPU, 48 MiB").
import type { Reclaimable } from '../detectors/finding.js';

/** "45 s", "12 min", "3 h 12 min", "4 d 2 h"; two units at most, the second dropped when zero. */
export function humanAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: Array<[number, string]> = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, name] = units[i] as [number, string];
    if (s < size && size > 1) continue;
    const major = Math.floor(s / size);
    const next = units[i + 1];
    const minor = next ? Math.floor((s % size) / next[0]) : 0;
    return minor > 0 && next ? `${major} ${name} ${minor} ${next[1]}` : `${major} ${name}`;
  }
  return '0 s';
}

/** "2026-12-01 16:04 UTC": the viewer's terms for an incident, to the minute. */
export function humanDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  if (Number.isNaN(d.getTime())) return String(unixSeconds);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "512 B", "48 MiB", "1.5 GiB": binary units, as free(1) and virsh print memory. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 || Number.isInteger(v) || v >= 100 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[i]}`;
}

/** "1 vCPU, 48 MiB" (memory), "20 GiB disk", "2 devices"; "" when the finding holds nothing measurable. */
export function humanReclaimable(r: Reclaimable): string {
  const parts: string[] = [];
  if (r.vcpus) parts.push(`${r.vcpus} vCPU${r.vcpus === 1 ? '' : 's'}`);
  if (r.memoryBytes) parts.push(humanBytes(r.memoryBytes));
  if (r.diskBytes) parts.push(`${humanBytes(r.diskBytes)} disk`);
  if (r.devices) parts.push(`${r.devices} device${r.devices === 1 ? '' : 's'}`);
  return parts.join(', ');
}

const SPECIAL_KEYS: Record<string, string> = {
  rssBytes: 'RSS',
  pid: 'PID',
  uid: 'UID',
  moid: 'managed object',
  cmdline: 'command line',
  vcpus: 'vCPUs',
};
const UPPER_WORDS = new Set(['vm', 'uuid', 'pci', 'vfio', 'pid', 'rss', 'cpu', 'id', 'url', 'ip']);
// Evidence has a few dozen distinct keys; a page with thousands of findings asks for them again and again.
const keyCache = new Map<string, string>();

/** "startedAt" → "started at", "rssBytes" → "RSS", "vmPathName" → "VM path name". */
export function humanKey(key: string): string {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const words = key
    .replace(/Bytes$|Seconds$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ');
  const label =
    SPECIAL_KEYS[key] ??
    words.map((w) => (UPPER_WORDS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase())).join(' ');
  if (keyCache.size < 1000) keyCache.set(key, label);
  return label;
}
