// Hyper-V series from a snapshot built from the script's output shapes; none where hyperv does not run.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { hypervMetrics } from '../../src/outputs/metrics/hyperv-metrics.js';
import { defaultConfig } from '../../src/flags.js';
import { hypervSection, NOW, SCANNED_AT, snapshotOf } from '../detectors/hyperv-fixture.js';

async function exposition(update: (m: ReturnType<typeof hypervMetrics>) => void): Promise<string[]> {
  const registry = new Registry();
  update(hypervMetrics(registry, defaultConfig()));
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('vmzombie_'));
}

describe('hyperv metrics', () => {
  it('an info series per VM (the one that is off too), checkpoint ages, workers by owner, scan health', async () => {
    const lines = await exposition((m) => m.update(snapshotOf(hypervSection())));
    expect(lines).toContain(
      'vmzombie_hyperv_vm_info{vm="GNS3 VM",vm_id="3b1f7c52-9a0e-4d6b-8f21-5c7d2e9a4b10",state="Off",' +
        'automatic_start_action="Nothing"} 1',
    );
    expect(lines.filter((l) => l.startsWith('vmzombie_hyperv_vm_info'))).toHaveLength(3);
    expect(lines).toContain(
      `vmzombie_hyperv_checkpoint_age_seconds{vm="Server25",checkpoint="Server25 - (10/7/2025 - 11:36:18 AM)"} ${
        NOW - 1759837007
      }`,
    );
    for (const [owner, n] of [
      ['vm', 2],
      ['compute', 1],
      ['none', 1],
      ['unknown', 0],
    ] as const)
      expect(lines).toContain(`vmzombie_hyperv_workers{owner="${owner}"} ${n}`);
    expect(lines).toContain('vmzombie_hyperv_collector_elevated{host="WIN-LBC2PSOUUG1"} 1');
    expect(lines).toContain(`vmzombie_hyperv_file_scan_age_seconds{host="WIN-LBC2PSOUUG1"} ${NOW - SCANNED_AT}`);
    // One directory of the scan could not be read.
    expect(lines).toContain('vmzombie_hyperv_file_scan_up{host="WIN-LBC2PSOUUG1"} 0');
  });

  it('no hyperv series on a host where the collector does not run', async () => {
    const { hyperv: _, ...linux } = snapshotOf(hypervSection());
    const lines = await exposition((m) => m.update(linux));
    expect(lines.filter((l) => !l.startsWith('vmzombie_hyperv_series_dropped_total'))).toEqual([]);
  });
});
