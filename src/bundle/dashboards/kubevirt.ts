// KubeVirt / Harvester: stuck deletions by finalizer and age, freeze-loop rate per VMI, backup
// errors and shared targets, virt-handler memory against its limit with the forecast, OOM kills, and what a
// VM left behind one layer down (reclaimable volume bytes by namespace, the new kinds' counts).
import type { BundleConfig } from '../config.js';
import { sel } from '../query.js';
import { Dash, dedup, q } from './common.js';

const HANDLER = 'cluster, namespace, node, pod';
const LEFT_BEHIND = [
  'kubevirt_orphan_volume',
  'virt_launcher_pod_stale',
  'kubevirt_migration_stuck',
  'kubevirt_vmi_without_launcher_pod',
  'kubevirt_snapshot_stuck',
];

export function kubevirtDashboard(c: BundleConfig): object {
  const wsRaw = q(c, 'vmzombie_virt_handler_memory_working_set_bytes');
  const ws = dedup(HANDLER, wsRaw);
  const stuck = q(c, 'vmzombie_kubevirt_deletion_stuck_seconds');
  const freezes = q(c, 'vmzombie_kubevirt_vmi_freeze_transitions_total');
  const targets = sel(c, 'vmzombie_kubevirt_backup_target_info');
  const orphanBytes = q(c, 'vmzombie_kubevirt_orphan_volume_bytes');
  // A Longhorn orphan's size: the node agent measures the directory, the cluster agent names it an orphan.
  const longhornOrphanBytes =
    `sum by (cluster, node) (max by (cluster, data_name) (${q(c, 'vmzombie_longhorn_replica_dir_bytes')})\n` +
    `* on (cluster, data_name) group_left (node)\n` +
    `max by (cluster, data_name, node) (${q(c, 'vmzombie_longhorn_orphan_info')}))`;
  const findings = q(c, 'vmzombie_findings', {
    kind: `=~${LEFT_BEHIND.join('|')}`,
  });
  return (
    new Dash(
      c,
      'vmzombie-kubevirt',
      'vmzombie / KubeVirt and Harvester',
      'What the cluster agent finds: stuck deletions, freeze loops, backups, virt-handler memory.',
    )
      .row('Deletions and VM status')
      .timeseries(
        'Stuck deletions by finalizer',
        'Objects stuck in deletion, per remaining finalizer.',
        [{ expr: `count by (finalizer) (max without (job, instance) (${stuck}))`, legend: '{{finalizer}}' }],
        'short',
        12,
      )
      .table(
        'Stuck deletions by age',
        'Every object stuck in deletion, one row per finalizer, with the age of its deletionTimestamp.',
        [{ expr: `max without (job) (${stuck})` }],
        's',
        {},
        12,
      )
      .table(
        'VMs stuck in a status',
        'VirtualMachines stuck Stopping, Terminating, Unknown or in an error status.',
        [{ expr: `max without (job) (${q(c, 'vmzombie_kubevirt_vm_status_seconds')})` }],
        's',
        {},
        24,
        6,
      )
      .row('What a VM left behind')
      .timeseries(
        'Reclaimable volume bytes by namespace',
        'Capacity of the VM volumes (PVCs) that nothing references, summed per namespace.',
        [
          {
            expr: `sum by (cluster, namespace) (max without (job, instance) (${orphanBytes}))`,
            legend: '{{cluster}} {{namespace}}',
          },
        ],
        'bytes',
        12,
      )
      .timeseries(
        'Leftovers one layer down',
        'Orphan volumes, stale launcher pods, stuck migrations, VMIs without a launcher pod, stuck snapshots.',
        [{ expr: `max by (cluster, kind) (${findings})`, legend: '{{cluster}} {{kind}}' }],
        'short',
        12,
      )
      .timeseries(
        'Longhorn orphan bytes by node',
        'Disk space of the replica data Longhorn orphans hold, measured by node agents with --longhorn.data-root.',
        [{ expr: longhornOrphanBytes, legend: '{{cluster}} {{node}}' }],
        'bytes',
        12,
      )
      .table(
        'Orphan volumes',
        'Each VM volume nothing references, with its reclaimable bytes.',
        [{ expr: `max without (job) (${orphanBytes})` }],
        'bytes',
        {},
        12,
        6,
      )
      .row('Freeze loops and backups')
      .timeseries(
        'Freeze/unfreeze rate per VMI',
        'fsFreezeStatus changes per hour of each VMI.',
        [
          {
            expr: `max by (cluster, namespace, name) (rate(${freezes}[$__rate_interval])) * 3600`,
            legend: '{{namespace}}/{{name}}',
          },
        ],
        'short',
        12,
      )
      .table(
        'Backups in Error',
        'VM backups in Error; Harvester retries them, freezing the guest each time.',
        [{ expr: `max without (job) (${q(c, 'vmzombie_kubevirt_backup_error')})` }],
        'short',
        {},
        12,
      )
      // Across every cluster, not the selected ones: sharing is between clusters.
      .table(
        'Backup targets and the clusters writing to them',
        'Clusters per backup target; more than one is the Harvester shared-target incident.',
        [{ expr: `count by (endpoint, bucket) (max by (cluster, endpoint, bucket) (${targets}))` }],
        'short',
        {},
        24,
        6,
      )
      .row('virt-handler')
      .timeseries(
        'virt-handler memory against its limit',
        'Working set, limit, and the working set forecast 4 h ahead from the last hour.',
        [
          { expr: ws, legend: '{{node}} working set' },
          { expr: dedup(HANDLER, q(c, 'vmzombie_virt_handler_memory_limit_bytes')), legend: '{{node}} limit' },
          {
            expr: `max by (${HANDLER}) (predict_linear(${wsRaw}[1h], ${c.virtHandlerForecastSeconds}))`,
            legend: '{{node}} forecast',
          },
        ],
        'bytes',
        12,
      )
      .timeseries(
        'virt-handler OOM kills and restarts',
        'OOM kills and container restarts of each virt-handler.',
        [
          {
            expr: `max by (${HANDLER}) (increase(${q(c, 'vmzombie_virt_handler_oom_kills_total')}[$__rate_interval]))`,
            legend: '{{node}} OOM kills',
          },
          {
            expr: `max by (${HANDLER}) (increase(${q(c, 'vmzombie_virt_handler_restarts_total')}[$__rate_interval]))`,
            legend: '{{node}} restarts',
          },
        ],
        'short',
        12,
      )
      .build()
  );
}
