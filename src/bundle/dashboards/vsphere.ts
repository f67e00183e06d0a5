// vSphere: orphaned and inaccessible VMs, snapshots by age and count, consolidation, orphan files by
// datastore and bytes, and the age of each datastore's file scan.
import type { QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { BundleConfig } from '../config.js';
import { sel } from '../query.js';
import { Dash, dedup, q, variable } from './common.js';

const VM_KINDS = [
  'vsphere_vm_orphaned',
  'vsphere_vm_inaccessible',
  'vsphere_vm_on_unreachable_host',
  'vsphere_autostart_vm_not_running',
  'vsphere_consolidation_needed',
];

export function vsphereDashboard(c: BundleConfig): object {
  const vc = { vcenter: '=~$vcenter' };
  const finding = (kind: string) => `max without (job) (${q(c, 'vmzombie_finding_age_seconds', { ...vc, kind })})`;
  const count = (kind: string) => `count(${finding(kind)})`;
  const vms = q(c, 'vmzombie_vsphere_vm_info', vc);
  const snapshots = q(c, 'vmzombie_vsphere_snapshot_age_seconds', vc);
  const diskBytes = q(c, 'vmzombie_reclaimable_disk_bytes', { kind: '=~vsphere_.*' });
  const vcenter: QueryVariableBuilder = variable(
    'vcenter',
    'vCenter',
    sel(c, 'vmzombie_vsphere_vm_info', { cluster: '=~$cluster', instance: '=~$instance' }),
  );
  return new Dash(c, 'vmzombie-vsphere', 'vmzombie / vSphere', 'What the vSphere exporter finds in each vCenter.', [
    vcenter,
  ])
    .row('VMs')
    .stat('Orphaned VMs', 'VMs vCenter lists whose host no longer has them.', count('vsphere_vm_orphaned'), 'short')
    .stat(
      'Inaccessible VMs',
      'VMs whose files or configuration cannot be read.',
      count('vsphere_vm_inaccessible'),
      'short',
    )
    .stat('Need consolidation', 'VMs with snapshot deltas left behind.', count('vsphere_consolidation_needed'), 'short')
    .stat('Stale snapshots', 'Snapshots older than the maximum age.', count('vsphere_snapshot_stale'), 'short')
    .stat('Orphan disks', 'Virtual disks no VM or template references.', count('vsphere_orphan_disk'), 'short')
    .stat(
      'Unregistered VM folders',
      'Datastore folders with a .vmx nobody registered.',
      count('vsphere_unregistered_vm_folder'),
      'short',
    )
    .timeseries(
      'VMs by connection state',
      'VMs per connection state (orphaned, inaccessible, invalid are findings).',
      [
        {
          expr: `count by (vcenter, connection_state) (${dedup('vcenter, vm, connection_state', vms)})`,
          legend: '{{vcenter}} {{connection_state}}',
        },
      ],
      'short',
      12,
    )
    .table(
      'VM findings',
      'Orphaned, inaccessible, on an unreachable host, autostart off, consolidation needed.',
      [{ expr: finding(`=~${VM_KINDS.join('|')}`) }],
      's',
      {},
      12,
    )
    .row('Snapshots')
    .table(
      'Snapshots by age',
      'Every snapshot with its age (oldest first).',
      [{ expr: `sort_desc(max without (job) (${snapshots}))` }],
      's',
      {},
      12,
    )
    .timeseries(
      'Snapshots per VM',
      'Snapshots of the ten VMs with the most.',
      [{ expr: `topk(10, count by (vcenter, vm) (max without (job) (${snapshots})))`, legend: '{{vcenter}} {{vm}}' }],
      'short',
      12,
    )
    .row('Orphan files')
    .timeseries(
      'Orphan files by datastore',
      'Orphan disks and unregistered VM folders per datastore.',
      [
        {
          expr: `count by (vcenter, datastore) (${finding('=~vsphere_orphan_disk|vsphere_unregistered_vm_folder')})`,
          legend: '{{vcenter}} {{datastore}}',
        },
      ],
      'short',
      8,
    )
    .timeseries(
      'Orphan bytes',
      'Bytes orphan files and stale snapshots hold.',
      [{ expr: `sum by (kind) (${dedup('cluster, instance, kind', diskBytes)})`, legend: '{{kind}}' }],
      'bytes',
      8,
    )
    .timeseries(
      'File scan age',
      'Seconds since each datastore was last listed.',
      [
        {
          expr: dedup('vcenter, datastore', q(c, 'vmzombie_vsphere_datastore_scan_age_seconds', vc)),
          legend: '{{vcenter}} {{datastore}}',
        },
      ],
      's',
      8,
    )
    .build();
}
