// The keep file (`--keep.file`): markers for what has no metadata of its own (image files, PCI devices,
// hugepages, taps, …), one entry per subject or glob. Read again whenever it changes; a malformed entry
// is reported with its reason and acknowledges nothing, so it can never hide a finding.
import { stat, readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { z } from 'zod';
import { describeError } from '../util/fs-errors.js';
import { NO_KEEP, type KeepMarker, type KeepSet } from './keep-marker.js';

const EntrySchema = z
  .object({
    subject: z.string().min(1),
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'a finding kind such as orphan_image')
      .optional(),
    reason: z.string().min(1),
    who: z.string().min(1),
    until: z.string().optional(),
  })
  .strict();

/** An ISO date (`2027-03-31`, the end of that day UTC) or date-time, as Unix seconds; null when invalid. */
export function parseUntil(value: string): number | null {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(dateOnly ? `${value}T23:59:59Z` : value);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** Parses the keep file's text: `keep:` followed by a list of entries. */
export function parseKeepFile(text: string, file: string): KeepSet {
  let doc: unknown;
  try {
    // The core schema keeps dates as text, so a bare date can mean the end of that day.
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    return { markers: [], problems: [`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (doc === undefined || doc === null) return NO_KEEP;
  const list = (doc as { keep?: unknown }).keep;
  if (typeof doc !== 'object' || !Array.isArray(list)) {
    return { markers: [], problems: [`${file}: expected a top-level "keep:" list of entries`] };
  }
  const markers: KeepMarker[] = [];
  const problems: string[] = [];
  list.forEach((raw, i) => {
    const where = `${file} entry ${i + 1}`;
    const parsed = EntrySchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((x) => `${x.path.join('.') || 'entry'}: ${x.message}`).join('; ');
      problems.push(`${where}: ${why}`);
      return;
    }
    const e = parsed.data;
    const until = e.until === undefined ? null : parseUntil(e.until);
    if (e.until !== undefined && until === null) {
      problems.push(`${where}: until: "${String(e.until)}" is not a date (2027-03-31 or an ISO date-time)`);
      return;
    }
    markers.push({ subject: e.subject, kind: e.kind ?? null, reason: e.reason, who: e.who, until, origin: where });
  });
  return { markers, problems };
}

/** Reads the file again only when its size or modification time changed. */
export class KeepFile {
  private seen = '';
  private current: KeepSet = NO_KEEP;

  constructor(private readonly file: string) {}

  async load(): Promise<KeepSet> {
    try {
      const st = await stat(this.file);
      const version = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (version !== this.seen) {
        this.current = parseKeepFile(await readFile(this.file, 'utf8'), this.file);
        this.seen = version;
      }
    } catch (e) {
      // Unreadable: nothing is acknowledged (never hide a finding on a file we cannot read).
      this.seen = '';
      this.current = { markers: [], problems: [`${this.file}: ${describeError(e)}`] };
    }
    return this.current;
  }
}
