// hyperv source: every collection one PowerShell process runs collect.ps1 for the inventory (VMs,
// checkpoints, disk chains, workers, compute systems, boot time); every --hyperv.scan-interval a
// second one lists the VM directories in the background, and its last result is served in between.
// Read-only. On by default on Windows; elsewhere only when asked for (--collector.hyperv).
import { waitAtMost } from '../../util/wait-at-most.js';
import { HYPERV_FLAGS } from './hyperv-flags.js';
import { fileURLToPath } from 'node:url';
import type { HypervFileScan, HypervSection } from '../../snapshot/hyperv.js';
import type { SourceDefinition } from '../source.js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/fs-errors.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { runScript } from './run-powershell.js';
import { HypervAbsent, parseFilesOutput, parseInventoryOutput } from './script-output.js';

/** collect.ps1 beside this module: in src/, or in dist/ where the build copies it (scripts/copy-assets.mjs). */
export function bundledScriptPath(): string {
  return fileURLToPath(new URL('./collect.ps1', import.meta.url));
}

export interface HypervOptions {
  powershell: string;
  scriptPath: string;
  vmDirs: readonly string[];
  scanIntervalSeconds: number;
  scanTimeoutSeconds: number;
  clock?: () => number;
}

const EMPTY_SCAN: HypervFileScan = { scannedAt: null, error: null, dirs: [] };

export class HypervReader {
  private scan: HypervFileScan = EMPTY_SCAN;
  private scanning: Promise<void> | null = null;
  private lastScanStart = -Infinity;
  private readonly closing = new AbortController();
  private readonly clock: () => number;

  constructor(
    private readonly opts: HypervOptions,
    private readonly log: Logger,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  private run(part: 'inventory' | 'files', signal: AbortSignal): Promise<string> {
    return runScript({
      executable: this.opts.powershell,
      scriptPath: this.opts.scriptPath,
      env: { VMZOMBIE_HYPERV_PART: part, VMZOMBIE_HYPERV_DIRS: JSON.stringify(this.opts.vmDirs) },
      signal,
    });
  }

  async read(signal: AbortSignal): Promise<HypervSection> {
    const started = this.clock();
    const inventory = parseInventoryOutput(await this.run('inventory', signal));
    if (inventory instanceof HypervAbsent) throw new SourceAbsentError(inventory.reason);
    if (this.clock() - this.lastScanStart >= this.opts.scanIntervalSeconds && !this.scanning) this.startScan();
    if (this.scan.scannedAt === null && this.scanning) {
      // No scan has finished yet (first collection, `scan`, `snapshot`): wait for it while the
      // collection still has time, else let it finish in the background.
      const budget = 0.8 * this.opts.scanTimeoutSeconds - (this.clock() - started);
      if (budget > 0) await waitAtMost(this.scanning, budget * 1000, signal);
    }
    const problems = [...inventory.problems];
    if (this.scan.error) problems.push(`file scan failed: ${this.scan.error}`);
    for (const d of this.scan.dirs) if (d.error) problems.push(`file scan of ${d.dir}: ${d.error}`);
    return { ...inventory, files: this.scan, problems };
  }

  /** The slow path, in the background under its own timeout, so it never holds up a scrape. */
  private startScan(): void {
    this.lastScanStart = this.clock();
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.opts.scanTimeoutSeconds * 1000)]);
    const started = this.clock();
    this.scanning = (async () => {
      try {
        const result = parseFilesOutput(await this.run('files', signal));
        if (result instanceof HypervAbsent) throw new Error(result.reason);
        this.scan = { scannedAt: this.clock(), error: null, dirs: result.dirs };
        for (const p of result.problems) this.log.warn('hyperv file scan', { problem: p });
      } catch (e: unknown) {
        // Keep the last listing (and when it was taken) so detectors judge on it, marked by the error.
        this.scan = { ...this.scan, error: describeError(e) };
      }
      this.log.debug('hyperv file scan done', { seconds: this.clock() - started });
    })().finally(() => {
      this.scanning = null;
    });
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('source closed'));
    await this.scanning?.catch(() => {});
  }
}

export const hypervSource: SourceDefinition<'hyperv'> = {
  name: 'hyperv',
  description: 'Hyper-V VMs, checkpoints, disk chains, vmwp.exe workers and VM directory files (one PowerShell script)',
  enabledByDefault: () => process.platform === 'win32',
  flags: HYPERV_FLAGS,
  create(config, log) {
    const reader = new HypervReader(
      {
        powershell: config['hyperv.powershell'],
        scriptPath: bundledScriptPath(),
        vmDirs: config['hyperv.vm-dir'],
        scanIntervalSeconds: config['hyperv.scan-interval'],
        scanTimeoutSeconds: config['collector.timeout'],
      },
      log,
    );
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
