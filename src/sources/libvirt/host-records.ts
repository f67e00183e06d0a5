// Records the libvirt host keeps on disk that survive restarts of the exporter (local URIs only):
// the managed-save directory's files, and each shut-off domain's qemu log, whose last
// "shutting down" line dates the stop. Both are read-only reads of libvirt's own files.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileStat } from '../../snapshot/libvirt.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { statIdentity } from '../shared/file-identity.js';

/** libvirt writes `<time>: shutting down, reason=<reason>` when qemu stops; the time is UTC with an offset. */
const SHUTDOWN_LINE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})([+-]\d{2})(\d{2}): shutting down, reason=/gm;
/** Enough for the last start/stop of a domain; a log of many restarts is longer, but its end is what counts. */
const TAIL_BYTES = 64 * 1024;

/** Pure: the time (Unix seconds) of the last "shutting down" line of a qemu log's text; null when none. */
export function lastShutdown(text: string): number | null {
  let last: number | null = null;
  for (const m of text.matchAll(SHUTDOWN_LINE)) {
    const t = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
    if (Number.isFinite(t)) last = Math.floor(t / 1000);
  }
  return last;
}

/** The files in libvirt's managed-save directory; [] when it does not exist. */
export async function readSaveFiles(dir: string, problems: string[]): Promise<FileStat[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e: unknown) {
    if (errorCode(e) !== 'ENOENT') problems.push(`${dir}: ${describeError(e)}`);
    return [];
  }
  return Promise.all(names.filter((n) => n.endsWith('.save')).map((n) => statIdentity(path.join(dir, n))));
}

export interface ShutOffRecord {
  uuid: string;
  since: number;
  /** Which record dated it: `qemu-log` (its last "shutting down" line) or `qemu-log-mtime`. */
  record: string;
}

/** Reads each log once per change of its size or mtime. */
export class ShutOffTimes {
  private readonly cache = new Map<string, { stamp: string; since: number; record: string }>();

  constructor(private readonly logDir: string) {}

  async read(domains: ReadonlyArray<{ uuid: string; name: string }>, problems: string[]): Promise<ShutOffRecord[]> {
    const out: ShutOffRecord[] = [];
    const live = new Set<string>();
    for (const d of domains) {
      // A domain name is a file name here: one with a slash cannot be libvirt's log file.
      if (d.name.includes('/')) continue;
      const file = path.join(this.logDir, `${d.name}.log`);
      live.add(file);
      try {
        const st = await stat(file);
        const stamp = `${st.size}:${st.mtimeMs}`;
        let hit = this.cache.get(file);
        if (hit?.stamp !== stamp) {
          const since = lastShutdown(await tail(file, st.size));
          hit =
            since === null
              ? { stamp, since: Math.floor(st.mtimeMs / 1000), record: 'qemu-log-mtime' }
              : { stamp, since, record: 'qemu-log' };
          this.cache.set(file, hit);
        }
        out.push({ uuid: d.uuid, since: hit.since, record: hit.record });
      } catch (e: unknown) {
        // Never started on this host (or the log was removed): no record, the domain is not judged.
        if (errorCode(e) !== 'ENOENT') problems.push(`${file}: ${describeError(e)}`);
      }
    }
    for (const f of this.cache.keys()) if (!live.has(f)) this.cache.delete(f);
    return out;
  }
}

async function tail(file: string, size: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}
