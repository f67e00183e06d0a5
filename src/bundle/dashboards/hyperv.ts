// Hyper-V: VMs by state (off ones included), critical VMs and ghost workers, checkpoints by age,
// leftover and orphan virtual disks with their bytes, and the health of the collector's file scan.
import type { BundleConfig } from '../config.js';
import { Dash, dedup, q } from './common.js';

const VM_KINDS = [
  'hyperv_vm_critical',
  'hyperv_ghost_worker',
  'hyperv_autostart_vm_not_running',
  'hyperv_leftover_avhdx',
  'hyperv_checkpoint_chain_deep',
];

export function hypervDashboard(c: BundleConfig): object {
  const finding = (kind: string) => `max without (job) (${q(c, 'vmzombie_finding_age_seconds', { kind })})`;
  const count = (kind: string) => `count(${finding(kind)})`;
  const vms = q(c, 'vmzombie_hyperv_vm_info');
  const checkpoints = q(c, 'vmzombie_hyperv_checkpoint_age_seconds');
  const diskBytes = q(c, 'vmzombie_reclaimable_disk_bytes', { kind: '=~hyperv_.*' });
  const memoryBytes = q(c, 'vmzombie_reclaimable_memory_bytes', { kind: 'hyperv_ghost_worker' });
  return new Dash(c, 'vmzombie-hyperv', 'vmzombie / Hyper-V', 'What the exporter finds on each Hyper-V host.', [])
    .row('VMs and workers')
    .stat('Critical VMs', 'VMs whose storage is unreachable or full.', count('hyperv_vm_critical'), 'short')
    .stat('Ghost workers', 'vmwp.exe processes whose VM no longer exists.', count('hyperv_ghost_worker'), 'short')
    .stat(
      'Autostart VMs off',
      'VMs set to always start that are off.',
      count('hyperv_autostart_vm_not_running'),
      'short',
    )
    .stat('Stale checkpoints', 'Checkpoints older than the maximum age.', count('hyperv_checkpoint_stale'), 'short')
    .stat('Leftover .avhdx', 'VMs on a differencing disk with no checkpoint.', count('hyperv_leftover_avhdx'), 'short')
    .stat('Orphan disks', 'Virtual disk files no VM or checkpoint uses.', count('hyperv_orphan_vhdx'), 'short')
    .timeseries(
      'VMs by state',
      'Hyper-V VMs per state, the ones that are off included.',
      [
        {
          expr: `count by (instance, state) (${dedup('instance, vm_id, state', vms)})`,
          legend: '{{instance}} {{state}}',
        },
      ],
      'short',
      12,
    )
    .table(
      'VM findings',
      'Critical, ghost workers, autostart off, leftover .avhdx, deep checkpoint trees.',
      [{ expr: finding(`=~${VM_KINDS.join('|')}`) }],
      's',
      {},
      12,
    )
    .row('Checkpoints and disks')
    .table(
      'Checkpoints by age',
      'Every checkpoint with its age (oldest first).',
      [{ expr: `sort_desc(max without (job) (${checkpoints}))` }],
      's',
      {},
      12,
    )
    .timeseries(
      'Reclaimable',
      'Bytes stale checkpoints and orphan disks hold, memory ghost workers hold.',
      [
        { expr: `sum by (kind) (${dedup('cluster, instance, kind', diskBytes)})`, legend: '{{kind}} disk' },
        { expr: `sum by (kind) (${dedup('cluster, instance, kind', memoryBytes)})`, legend: '{{kind}} memory' },
      ],
      'bytes',
      12,
    )
    .timeseries(
      'File scan age',
      'Seconds since each host last listed its VM directories.',
      [{ expr: dedup('instance, host', q(c, 'vmzombie_hyperv_file_scan_age_seconds')), legend: '{{host}}' }],
      's',
      12,
    )
    .timeseries(
      'Workers by owner',
      'vmwp.exe workers: a Hyper-V VM, a compute system (WSL2, containers), none (ghosts), unreadable.',
      [{ expr: `sum by (owner) (${dedup('instance, owner', q(c, 'vmzombie_hyperv_workers'))})`, legend: '{{owner}}' }],
      'short',
      12,
    )
    .build();
}
