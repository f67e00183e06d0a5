// Turns a finding's evidence (typed per kind, plain JSON values) into labelled entries a person reads:
// times as dates, byte counts in MiB/GiB, durations in minutes, command lines and lock lines as code.
import { humanAge, humanBytes, humanDate, humanKey } from './human.js';

export type EvidenceValue =
  | { type: 'text'; text: string; code: boolean; missing?: true }
  | { type: 'list'; items: EvidenceValue[] }
  | { type: 'group'; entries: EvidenceEntry[] };

export interface EvidenceEntry {
  key: string;
  label: string;
  value: EvidenceValue;
}

// Epoch seconds after 2001-09-09: no duration field here comes near 31 years.
const EPOCH_FLOOR = 1e9;
const CODE_KEYS = /^(cmdline|lockLine|recordedPidIs|command|args)$/;

function isTimeKey(key: string): boolean {
  return /(At|Time|Timestamp)$/.test(key) || /(time|Time)Seconds$/.test(key);
}

function looksLikePath(text: string): boolean {
  return /^(\/|\[[^\]]+\] )/.test(text);
}

const text = (t: string, code = false): EvidenceValue => ({ type: 'text', text: t, code });

function viewValue(key: string, v: unknown): EvidenceValue {
  if (v === null || v === undefined) return { type: 'text', text: 'unknown', code: false, missing: true };
  if (typeof v === 'boolean') return { type: 'text', text: v ? 'yes' : 'no', code: false };
  if (typeof v === 'number') {
    if (isTimeKey(key) || (/Seconds$/.test(key) && v > EPOCH_FLOOR)) return text(humanDate(v));
    if (/Bytes$/.test(key)) return text(`${humanBytes(v)}${v >= 1024 ? ` (${v} bytes)` : ''}`);
    if (/Seconds$/.test(key)) return { type: 'text', text: humanAge(v), code: false };
    return { type: 'text', text: String(v), code: false };
  }
  if (typeof v === 'string') {
    if (isTimeKey(key) && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v))) {
      return { type: 'text', text: humanDate(Date.parse(v) / 1000), code: false };
    }
    return { type: 'text', text: v, code: CODE_KEYS.test(key) || looksLikePath(v) };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { type: 'text', text: 'none', code: false, missing: true };
    return { type: 'list', items: v.map((item) => viewValue(key, item)) };
  }
  if (typeof v === 'object') return { type: 'group', entries: evidenceEntries(v as Record<string, unknown>) };
  return { type: 'text', text: String(v), code: false };
}

export function evidenceEntries(evidence: Readonly<Record<string, unknown>>): EvidenceEntry[] {
  return Object.entries(evidence).map(([key, v]) => ({ key, label: humanKey(key), value: viewValue(key, v) }));
}
