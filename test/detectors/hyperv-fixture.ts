// Snapshots for the hyperv detector tables, built from the script's output in the shape PowerShell 7
// prints it (test/fixtures/hyperv/inventory-ps7.txt, files-ps7.txt, derived from the real captured
// samples): Server25 with two checkpoints and its .avhdx chain, a vagrant VM, the GNS3 VM that is
// off, a WSL2 utility VM's worker, and one worker of a VM that is gone (the real vmwp.exe sample).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { HypervSection } from '../../src/snapshot/hyperv.js';
import { HypervAbsent, parseFilesOutput, parseInventoryOutput } from '../../src/sources/hyperv/script-output.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hyperv');

/** Host boot of the fixture plus three hours. */
export const NOW = 1_760_950_800;
export const HOUR = 3600;
export const SCANNED_AT = NOW - 600;

export function hypervSection(): HypervSection {
  const inv = parseInventoryOutput(readFileSync(path.join(FIXTURES, 'inventory-ps7.txt'), 'utf8'));
  const files = parseFilesOutput(readFileSync(path.join(FIXTURES, 'files-ps7.txt'), 'utf8'));
  if (inv instanceof HypervAbsent || files instanceof HypervAbsent) throw new Error('fixture says absent');
  return { ...inv, files: { scannedAt: SCANNED_AT, error: null, dirs: files.dirs } };
}

export function snapshotOf(hyperv: HypervSection): Snapshot {
  return {
    schemaVersion: 1,
    hostname: 'WIN-LBC2PSOUUG1',
    takenAt: NOW,
    collectors: { hyperv: { state: 'ok', reason: null, durationSeconds: 1.2, lastSuccessSeconds: NOW, stale: false } },
    hyperv,
  };
}

export const IDS = {
  server25: 'ec17fbba-428a-41b0-9d38-1ca689aeb919',
  vagrant: '6f225311-b793-49cf-98a3-0a32108e49bb',
  gns3: '3b1f7c52-9a0e-4d6b-8f21-5c7d2e9a4b10',
  wsl: 'eed44daf-4f7e-4cf5-82fd-f9c8ebf8db82',
  gone: 'c17e3a9d-62d6-4af3-bf98-54371869fa54',
} as const;
