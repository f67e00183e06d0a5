// What collect.ps1 printed, read back: anything before the marker line (a WARNING: from a module,
// a profile's banner) is kept as a problem, the rest must be one JSON document of the expected part.
// An empty output, a missing marker or bad JSON is a clear error naming what came instead.
import { z } from 'zod';
import type { HypervDirScan, HypervSection } from '../../snapshot/hyperv.js';
import {
  parseCheckpoints,
  parseComputeProcesses,
  parseDrives,
  parseHcsdiagList,
  parseHost,
  parseVhds,
  parseVms,
  parseWorkers,
} from './parse-inventory.js';
import { asList, date, num, text } from './values.js';

export const MARKER = '---vmzombie-hyperv-json---';

/** The script reports the Hyper-V module missing: the source is absent here, not failing. */
export class HypervAbsent {
  constructor(readonly reason: string) {}
}

function excerpt(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

/** Splits the output at the marker; returns the document and the non-empty lines printed before it. */
export function splitOutput(stdout: string): { document: Record<string, unknown>; before: string[] } {
  const text = stdout.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new Error('PowerShell printed nothing (empty pipeline): no JSON document');
  const at = text.indexOf(MARKER);
  if (at < 0) throw new Error(`PowerShell printed no JSON document (no marker line); it printed: ${excerpt(text)}`);
  const before = text
    .slice(0, at)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const json = text.slice(at + MARKER.length).trim();
  if (json === '') throw new Error('PowerShell printed the marker but no JSON document after it');
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (e: unknown) {
    throw new Error(`PowerShell printed bad JSON (${(e as Error).message}): ${excerpt(json)}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error(`PowerShell printed JSON that is not one object: ${excerpt(json)}`);
  return { document: document as Record<string, unknown>, before };
}

const Envelope = z.object({
  Format: z.literal(1),
  Part: z.enum(['inventory', 'files']),
  Absent: z.string().optional(),
  Error: z.string().optional(),
  Problems: z.unknown().optional(),
});

function envelope(document: Record<string, unknown>, part: 'inventory' | 'files', before: string[]): string[] {
  const r = Envelope.safeParse(document);
  if (!r.success)
    throw new Error(`not a document of the Hyper-V script (Format 1): ${r.error.issues[0]?.message ?? ''}`);
  if (r.data.Part !== part) throw new Error(`expected the ${part} document, got ${r.data.Part}`);
  if (r.data.Error) throw new Error(`the Hyper-V script failed: ${r.data.Error}`);
  const problems = before.map((l) => `PowerShell printed: ${l}`);
  for (const p of asList(r.data.Problems)) problems.push(String(p));
  return problems;
}

export type InventoryOutput = Omit<HypervSection, 'files'>;

/** The inventory document, or HypervAbsent when the host has no Hyper-V module. */
export function parseInventoryOutput(stdout: string): InventoryOutput | HypervAbsent {
  const { document: d, before } = splitOutput(stdout);
  const problems = envelope(d, 'inventory', before);
  if (typeof d.Absent === 'string') return new HypervAbsent(d.Absent);
  const fromCmdlet = d.ComputeProcesses !== null && d.ComputeProcesses !== undefined;
  const computeSystems = fromCmdlet
    ? parseComputeProcesses(d.ComputeProcesses, problems)
    : typeof d.Hcsdiag === 'string'
      ? parseHcsdiagList(d.Hcsdiag)
      : [];
  return {
    host: parseHost(d.Host, d.ComputeListed === true),
    vms: parseVms(d.Vms, problems),
    checkpoints: parseCheckpoints(d.Checkpoints, problems),
    drives: parseDrives(d.Drives, problems),
    vhds: parseVhds(d.Vhds, problems),
    workers: parseWorkers(d.Workers, problems),
    computeSystems,
    problems,
  };
}

const FileRecord = z.object({ FullName: z.string().min(1), Length: num, LastWriteTime: date });
const DirRecord = z.object({ Dir: z.string(), Error: text, Files: z.unknown() });

/** The files document: each directory's virtual disk files; a file listed under two directories counts once. */
export function parseFilesOutput(stdout: string): { dirs: HypervDirScan[]; problems: string[] } | HypervAbsent {
  const { document: d, before } = splitOutput(stdout);
  const problems = envelope(d, 'files', before);
  if (typeof d.Absent === 'string') return new HypervAbsent(d.Absent);
  const seen = new Set<string>();
  const dirs: HypervDirScan[] = [];
  for (const [i, item] of asList(d.Dirs).entries()) {
    const dir = DirRecord.safeParse(item);
    if (!dir.success) {
      problems.push(`dirs[${i}]: ${dir.error.issues[0]?.message ?? 'unknown shape'}`);
      continue;
    }
    const files: HypervDirScan['files'] = [];
    for (const f of asList(dir.data.Files)) {
      const r = FileRecord.safeParse(f);
      if (!r.success || r.data.Length === null || r.data.LastWriteTime === null) {
        problems.push(`${dir.data.Dir}: a file record without name, length or time`);
        continue;
      }
      const key = r.data.FullName.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      files.push({ path: r.data.FullName, sizeBytes: r.data.Length, modified: r.data.LastWriteTime });
    }
    dirs.push({ dir: dir.data.Dir, error: dir.data.Error, files });
  }
  return { dirs, problems };
}
