// The seven hyperv kinds on snapshots built from the script's output shapes, each beside the healthy
// look-alike that must stay silent.
import { describe, expect, it } from 'vitest';
import { hypervGhostWorker } from '../../src/detectors/hyperv-ghost-worker.js';
import { hypervVmCritical } from '../../src/detectors/hyperv-vm-critical.js';
import { hypervCheckpointStale } from '../../src/detectors/hyperv-checkpoint-stale.js';
import { hypervCheckpointChainDeep } from '../../src/detectors/hyperv-checkpoint-chain-deep.js';
import { hypervLeftoverAvhdx } from '../../src/detectors/hyperv-leftover-avhdx.js';
import { hypervOrphanVhdx } from '../../src/detectors/hyperv-orphan-vhdx.js';
import { hypervAutostartVmNotRunning } from '../../src/detectors/hyperv-autostart-vm-not-running.js';
import { checkPreconditions } from '../../src/engine/findings-state.js';
import type { HypervSection } from '../../src/snapshot/hyperv.js';
import { detectContext } from '../support/detect-context.js';
import { HOUR, hypervSection, IDS, NOW, SCANNED_AT, snapshotOf } from './hyperv-fixture.js';

const ctx = (over = {}) => detectContext(NOW, over);
const run = (d: { detect: (s: never, c: never) => unknown[] }, h: HypervSection, over = {}) =>
  d.detect(snapshotOf(h) as never, ctx(over) as never) as Array<{
    subject: string;
    labels: Record<string, string>;
    reclaimable: Record<string, number>;
    evidence: Record<string, unknown>;
  }>;
const edit = (f: (h: HypervSection) => void) => {
  const h = hypervSection();
  f(h);
  return h;
};

describe('hyperv_ghost_worker', () => {
  it('reports the worker of a VM Get-VM does not list, with its memory; WSL2 and upper-case GUIDs are fine', () => {
    const found = run(hypervGhostWorker, hypervSection());
    expect(found.map((f) => f.labels)).toEqual([{ pid: '7788', vm_id: IDS.gone }]);
    expect(found[0]?.reclaimable).toEqual({ memoryBytes: 2147483648 });
    expect(found[0]?.evidence.commandLine).toBe(
      '"C:\\Windows\\System32\\vmwp.exe" C17E3A9D-62D6-4AF3-BF98-54371869FA54 0x208',
    );
  });
  it('without the compute systems the WSL2 worker would look like a ghost: skipped, with the reason', () => {
    const h = edit((x) => {
      x.host.computeSystemsListed = false;
      x.computeSystems = [];
    });
    expect(run(hypervGhostWorker, h).map((f) => f.labels.vm_id)).toContain(IDS.wsl);
    const verdict = checkPreconditions(hypervGhostWorker.needs, snapshotOf(h));
    expect(verdict).toMatchObject({ run: false, reason: expect.stringMatching(/WSL2/) as unknown });
  });
  it('not elevated: command lines are null, said as a fact; a null command line is never a ghost', () => {
    const h = edit((x) => {
      x.host.elevated = false;
      for (const w of x.workers) Object.assign(w, { commandLine: null, vmId: null });
    });
    expect(run(hypervGhostWorker, h)).toEqual([]);
    expect(checkPreconditions(hypervGhostWorker.needs, snapshotOf(h))).toMatchObject({
      run: false,
      reason: expect.stringMatching(/not elevated/) as unknown,
    });
    expect(checkPreconditions(hypervGhostWorker.needs, snapshotOf(hypervSection()))).toEqual({ run: true });
  });
});

describe('hyperv_vm_critical', () => {
  it('reports *Critical states by name; Paused and Off are not critical', () => {
    const h = edit((x) => {
      x.vms[0]!.state = 'RunningCritical';
      x.vms[1]!.state = 'OffCritical';
      x.vms[2]!.state = 'Paused';
    });
    expect(run(hypervVmCritical, h).map((f) => [f.subject, f.labels.state])).toEqual([
      ['Server25', 'RunningCritical'],
      ['GNS3 VM', 'OffCritical'],
    ]);
    expect(run(hypervVmCritical, hypervSection())).toEqual([]);
  });
});

describe('hyperv_checkpoint_stale', () => {
  it('reports checkpoints past the age with the bytes of the .avhdx each started', () => {
    const found = run(hypervCheckpointStale, hypervSection());
    expect(found.map((f) => [f.labels.checkpoint, f.reclaimable.diskBytes])).toEqual([
      ['Server25 - (7/18/2025 - 1:43:55 PM)', 4294967296],
      ['Server25 - (10/7/2025 - 11:36:18 AM)', 1358954496],
    ]);
  });
  it('a checkpoint inside its age, and a Replica checkpoint, stay silent', () => {
    const h = edit((x) => {
      x.checkpoints[0]!.snapshotType = 'Replica';
      x.checkpoints[1]!.creationTime = NOW - 2 * HOUR;
    });
    expect(run(hypervCheckpointStale, h)).toEqual([]);
    expect(
      run(hypervCheckpointStale, hypervSection(), { 'detect.hyperv-checkpoint-max-age': 400 * 24 * HOUR }),
    ).toEqual([]);
  });
});

describe('hyperv_checkpoint_chain_deep', () => {
  it('two levels are within the depth; four are reported with the chain', () => {
    expect(run(hypervCheckpointChainDeep, hypervSection())).toEqual([]);
    const h = edit((x) => {
      const last = x.checkpoints[1]!;
      x.checkpoints.push({ ...last, id: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'c3', parentId: last.id });
      x.checkpoints.push({
        ...last,
        id: 'aaaaaaaa-0000-4000-8000-000000000004',
        name: 'c4',
        parentId: 'aaaaaaaa-0000-4000-8000-000000000003',
      });
    });
    const [f] = run(hypervCheckpointChainDeep, h);
    expect(f?.labels).toEqual({ vm: 'Server25' });
    expect(f?.evidence.chain).toEqual([
      'Server25 - (7/18/2025 - 1:43:55 PM)',
      'Server25 - (10/7/2025 - 11:36:18 AM)',
      'c3',
      'c4',
    ]);
  });
});

describe('hyperv_leftover_avhdx', () => {
  it('an .avhdx with its checkpoints listed is healthy', () => {
    expect(run(hypervLeftoverAvhdx, hypervSection())).toEqual([]);
  });
  it('an .avhdx in the chain after the checkpoints are gone is a merge that never ran', () => {
    const h = edit((x) => {
      x.checkpoints = [];
      x.drives = x.drives.filter((d) => d.checkpointId === null);
    });
    const found = run(hypervLeftoverAvhdx, h);
    expect(found.map((f) => [f.labels.vm, f.subject])).toEqual([
      ['Server25', 'E:\\Server25\\Virtual Hard Disks\\Server25_A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D.avhdx'],
    ]);
    expect((found[0]?.evidence.chain as unknown[]).length).toBe(3);
    expect(hypervLeftoverAvhdx.grace).toBe('detect.hyperv-merge-grace');
  });
});

describe('hyperv_orphan_vhdx', () => {
  it('reports the .vhdx no chain uses, old enough, with its size', () => {
    const found = run(hypervOrphanVhdx, hypervSection());
    expect(found.map((f) => [f.subject, f.labels, f.reclaimable])).toEqual([
      [
        'E:\\Server25\\Virtual Hard Disks\\Server25-old.vhdx',
        { dir: 'E:\\Server25\\Virtual Hard Disks', file_type: 'vhdx' },
        { diskBytes: 21474836480 },
      ],
    ]);
  });
  it('a .vhdx a VM references only through its chain (as parent of its .avhdx), in another case, is used', () => {
    const h = edit((x) => {
      x.drives = x.drives.filter((d) => d.checkpointId === null);
      for (const d of x.files.dirs) for (const f of d.files) f.path = f.path.toUpperCase();
    });
    expect(run(hypervOrphanVhdx, h).map((f) => f.subject)).toEqual([
      'E:\\SERVER25\\VIRTUAL HARD DISKS\\SERVER25-OLD.VHDX',
    ]);
  });
  it('a young file, and a directory where a chain link could not be read, are not judged', () => {
    const young = edit((x) => {
      x.files.dirs[0]!.files[3]!.modified = SCANNED_AT - 60;
    });
    expect(run(hypervOrphanVhdx, young)).toEqual([]);
    const broken = edit((x) => {
      x.vhds.push({ ...x.vhds[0]!, path: 'E:\\Server25\\Virtual Hard Disks\\gone.avhdx', error: 'not found' });
    });
    expect(run(hypervOrphanVhdx, broken)).toEqual([]);
  });
  it('no file scan yet: skipped with the reason', () => {
    const h = edit((x) => {
      x.files = { scannedAt: null, error: 'timed out', dirs: [] };
    });
    expect(checkPreconditions(hypervOrphanVhdx.needs, snapshotOf(h))).toMatchObject({
      run: false,
      reason: expect.stringMatching(/no file scan.*timed out/) as unknown,
    });
  });
});

describe('hyperv_autostart_vm_not_running', () => {
  it('an Off VM set to Nothing or StartIfRunning is fine; set to Start it is reported after delay and grace', () => {
    expect(run(hypervAutostartVmNotRunning, hypervSection())).toEqual([]);
    const start = edit((x) => {
      x.vms[1]!.automaticStartAction = 'Start';
    });
    expect(run(hypervAutostartVmNotRunning, start).map((f) => f.labels)).toEqual([{ vm: 'GNS3 VM' }]);
    const ifRunning = edit((x) => {
      x.vms[1]!.automaticStartAction = 'StartIfRunning';
    });
    expect(run(hypervAutostartVmNotRunning, ifRunning)).toEqual([]);
    const delayed = edit((x) => {
      x.vms[1]!.automaticStartAction = 'Start';
      x.vms[1]!.automaticStartDelaySeconds = 3 * HOUR;
    });
    expect(run(hypervAutostartVmNotRunning, delayed)).toEqual([]);
  });
});
