// Value shapes of Hyper-V's JSON as Windows PowerShell 5.1 and PowerShell 7 print it, normalised at
// the boundary: lists that may be one object, null or 5.1's {"value": [...], "Count": n}; dates as
// ISO 8601 or "/Date(ms)/"; GUIDs in any case or braces; enums as names, or as the numbers a raw
// ConvertTo-Json writes, where those numbers are the same on every Windows version.
import { z } from 'zod';

/** A list as ConvertTo-Json may print it: null/absent (empty pipeline), one object, or an array. */
export function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  // 5.1 wraps some arrays as an object with the items and their count.
  if (typeof value === 'object') {
    const wrapped = value as { value?: unknown; Count?: unknown };
    if (Array.isArray(wrapped.value) && typeof wrapped.Count === 'number') return wrapped.value as unknown[];
  }
  return [value];
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A GUID lower-case without braces (Get-VM writes lower-case, WMI and vmwp.exe upper-case); null if not one. */
export function normalizeGuid(value: string): string | null {
  const m = GUID.exec(value.trim());
  return m ? (m[1] as string).toLowerCase() : null;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export const guid = z.string().transform((v, ctx) => {
  const g = normalizeGuid(v);
  if (g === null) {
    ctx.addIssue({ code: 'custom', message: `not a GUID: "${v}"` });
    return z.NEVER;
  }
  return g;
});

/** A GUID that may be absent: null, "", or the all-zero GUID (a drive that belongs to no checkpoint). */
export const optionalGuid = z
  .string()
  .nullish()
  .transform((v) => (v ? normalizeGuid(v) : null))
  .transform((g) => (g === ZERO_GUID ? null : g));

/** Unix seconds from ISO 8601 (7) or "/Date(ms)/" (5.1, the JSON "\/Date(ms)\/"); null when absent or unreadable. */
export function parseDate(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (ms) return Number(ms[1]) / 1000;
  // Keep only milliseconds: .NET's "o" format has seven fraction digits.
  const t = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? null : t / 1000;
}

export const date = z.unknown().optional().transform(parseDate);

/** Enum numbers that are the same on every Windows version (HYPERV facts); VMState is not among them past 32782. */
export const START_ACTION = { 2: 'Nothing', 3: 'StartIfRunning', 4: 'Start' } as const;
export const SNAPSHOT_TYPE = { 0: 'Standard', 1: 'Recovery', 2: 'Planned', 5: 'Missing', 6: 'Replica' } as const;
export const VHD_TYPE = { 2: 'Fixed', 3: 'Dynamic', 4: 'Differencing' } as const;
export const VHD_FORMAT = { 2: 'VHD', 3: 'VHDX', 4: 'VHDSet' } as const;
/** Below 32783 only: newer modules inserted Hibernated and ComponentServicing there, moving RunningCritical. */
export const VM_STATE = {
  1: 'Other',
  2: 'Running',
  3: 'Off',
  4: 'Stopping',
  6: 'Saved',
  9: 'Paused',
  10: 'Starting',
  11: 'Reset',
  32773: 'Saving',
  32776: 'Pausing',
  32777: 'Resuming',
  32779: 'FastSaved',
  32780: 'FastSaving',
  32781: 'ForceShutdown',
} as const;

/**
 * An enum by name. A number (a dump written without the script's [string]) is read through `table`
 * when it is one whose meaning never changed, else kept visible as "Unknown(n)" — never guessed.
 */
export function enumName(table: Readonly<Record<number, string>>) {
  return z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => {
      if (v === null || v === undefined || v === '') return null;
      if (typeof v === 'string') return v;
      return table[v] ?? `Unknown(${v})`;
    });
}

export const num = z
  .number()
  .nullish()
  .transform((v) => v ?? null);
export const text = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null));
