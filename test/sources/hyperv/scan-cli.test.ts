// The built exporter with the hyperv collector on, PowerShell replaced by the stand-in executable
// printing the 5.1-shaped fixture: `scan --output json` reports the fixture's findings end to end
// (the script from dist/, the runner, the parser, the detectors).
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import path from 'node:path';
import { assertBuilt, CLI, ROOT } from '../../support/built-cli.js';

const STAND_IN = path.join(ROOT, 'test/sources/hyperv/stand-in-powershell');
const FIXTURES = path.join(ROOT, 'test/fixtures/hyperv');
const OFF = ['libvirt', 'procfs', 'sysfs', 'pools', 'virthandler'].map((c) => `--no-collector.${c}`);

beforeAll(assertBuilt);

describe('scan with the hyperv collector', () => {
  it('reports the ghost worker, stale checkpoints and the orphan disk, nothing for the WSL2 worker', async () => {
    const r = await execa(
      'node',
      [CLI, 'scan', '--output=json', '--collector.hyperv', `--hyperv.powershell=${STAND_IN}`, ...OFF],
      {
        env: {
          STAND_IN_MODE: 'print',
          STAND_IN_INVENTORY: path.join(FIXTURES, 'inventory-ps51.txt'),
          STAND_IN_FILES: path.join(FIXTURES, 'files-ps51.txt'),
        },
        reject: false,
        timeout: 60_000,
      },
    );
    const out = JSON.parse(r.stdout) as { findings: Array<{ kind: string; subject: string }> };
    expect(out.findings.map((f) => [f.kind, f.subject]).sort()).toEqual([
      [
        'hyperv_checkpoint_stale',
        'Server25 / Server25 - (10/7/2025 - 11:36:18 AM) (a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d)',
      ],
      [
        'hyperv_checkpoint_stale',
        'Server25 / Server25 - (7/18/2025 - 1:43:55 PM) (9d4e2a11-6c3b-4f5a-8e7d-1a2b3c4d5e6f)',
      ],
      ['hyperv_ghost_worker', 'vmwp.exe pid 7788 (VM c17e3a9d-62d6-4af3-bf98-54371869fa54)'],
      ['hyperv_orphan_vhdx', 'E:\\Server25\\Virtual Hard Disks\\Server25-old.vhdx'],
    ]);
  });

  it('says the collector is down, with the reason, when PowerShell prints bad JSON', async () => {
    const r = await execa('node', [CLI, 'scan', '--collector.hyperv', `--hyperv.powershell=${STAND_IN}`, ...OFF], {
      env: { STAND_IN_MODE: 'bad-json' },
      reject: false,
      timeout: 60_000,
    });
    expect(r.stdout).toMatch(/collector hyperv: error — PowerShell printed bad JSON/);
  });
});
