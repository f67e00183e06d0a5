// Capacity review: what the findings hold now and over time, by kind and by host / cluster /
// vCenter, and every finding by age with its subject, names and a runbook link.
import type { BundleConfig } from '../config.js';
import { Dash, dedup, q } from './common.js';

const PER_KIND = 'cluster, instance, kind';

export function capacityDashboard(c: BundleConfig): object {
  const now = (metric: string) => `sum(${dedup(PER_KIND, q(c, metric))})`;
  const byKind = (metric: string) => `sum by (kind) (${dedup(PER_KIND, q(c, metric))}) > 0`;
  const byHost = (metric: string) => `sum by (cluster, instance) (${dedup(PER_KIND, q(c, metric))})`;
  const age = q(c, 'vmzombie_finding_age_seconds');
  // One exporter scraped by two jobs counts once: max over the jobs before increase() sums the hosts.
  const reclaimedOver = (metric: string, range: string, by: string) =>
    `sum${by}(max by (cluster, instance, kind, outcome) (increase(${q(c, metric)}[${range}])))`;
  const reclaimed = (metric: string) => `${reclaimedOver(metric, '$__rate_interval', ' by (kind, outcome) ')} > 0`;
  const reclaimedTotal = (metric: string) => reclaimedOver(metric, '$__range', '');
  // Names come with the finding; a libvirt domain's current state is joined from its info series.
  const findings =
    `max without (job) (${age})\n* on (cluster, instance, uuid) group_left (state)\n` +
    `max by (cluster, instance, uuid, state) (${q(c, 'vmzombie_libvirt_domain_info')})\n` +
    `or on (cluster, instance, kind, subject)\nmax without (job) (${age})`;
  return new Dash(
    c,
    'vmzombie-capacity',
    'vmzombie / Capacity review',
    'What the resources that were never given back hold: vCPUs, memory, disk and devices, now and over time.',
  )
    .row('Reclaimable now')
    .stat('Findings', 'Findings past their grace period, every kind.', now('vmzombie_findings'), 'short')
    .stat(
      'vCPUs',
      'vCPUs held by stray qemu processes, paused, stuck and crashed domains, orphaned VMs.',
      now('vmzombie_reclaimable_vcpus'),
      'short',
    )
    .stat(
      'Memory',
      'Memory held (RSS of stray qemu, domain memory, hugepages nobody uses).',
      now('vmzombie_reclaimable_memory_bytes'),
      'bytes',
    )
    .stat(
      'Disk',
      'Bytes of orphan images, orphan datastore files and stale snapshots.',
      now('vmzombie_reclaimable_disk_bytes'),
      'bytes',
    )
    .stat(
      'Devices',
      'PCI devices and mediated devices stranded on vfio-pci.',
      now('vmzombie_reclaimable_devices'),
      'short',
    )
    .stat(
      'Pending',
      'Findings still inside their grace period (not yet reported).',
      now('vmzombie_findings_pending'),
      'short',
    )
    .stat(
      'Kept on purpose (disk)',
      'Disk bytes held by findings a keep marker acknowledges: counted here, paging no one.',
      now('vmzombie_reclaimable_acknowledged_disk_bytes'),
      'bytes',
    )
    .stat(
      'Kept on purpose (memory)',
      'Memory held by findings a keep marker acknowledges.',
      now('vmzombie_reclaimable_acknowledged_memory_bytes'),
      'bytes',
    )
    .row('Reclaimed')
    .stat(
      'Disk given back',
      'Disk bytes that findings held when they ended, over the time range picked (pick "Last 30 days" for the ' +
        "month's figure). increase() copes with exporter restarts; findings ending while it is down are missed.",
      reclaimedTotal('vmzombie_reclaimed_disk_bytes_total'),
      'bytes',
    )
    .stat(
      'Memory given back',
      'Memory bytes that findings held when they ended, over the time range picked.',
      reclaimedTotal('vmzombie_reclaimed_memory_bytes_total'),
      'bytes',
    )
    .stat(
      'vCPUs given back',
      'vCPUs that findings held when they ended, over the time range picked.',
      reclaimedTotal('vmzombie_reclaimed_vcpus_total'),
      'short',
    )
    .timeseries(
      'Disk given back, by kind and outcome',
      'Disk bytes that ended findings held: gone (the resource was deleted) or healthy (it is used again).',
      [{ expr: reclaimed('vmzombie_reclaimed_disk_bytes_total'), legend: '{{kind}} {{outcome}}' }],
      'bytes',
      12,
    )
    .timeseries(
      'Memory given back, by kind and outcome',
      'Memory bytes that ended findings held, by kind and outcome.',
      [{ expr: reclaimed('vmzombie_reclaimed_memory_bytes_total'), legend: '{{kind}} {{outcome}}' }],
      'bytes',
      12,
    )
    .row('Over time, by kind')
    .timeseries(
      'Memory by kind',
      'Reclaimable memory per finding kind.',
      [{ expr: byKind('vmzombie_reclaimable_memory_bytes'), legend: '{{kind}}' }],
      'bytes',
      8,
    )
    .timeseries(
      'vCPUs by kind',
      'Reclaimable vCPUs per finding kind.',
      [{ expr: byKind('vmzombie_reclaimable_vcpus'), legend: '{{kind}}' }],
      'short',
      8,
    )
    .timeseries(
      'Disk by kind',
      'Reclaimable disk bytes per finding kind.',
      [{ expr: byKind('vmzombie_reclaimable_disk_bytes'), legend: '{{kind}}' }],
      'bytes',
      8,
    )
    .timeseries(
      'Findings by kind',
      'Findings per kind.',
      [{ expr: byKind('vmzombie_findings'), legend: '{{kind}}' }],
      'short',
      12,
    )
    .timeseries(
      'Devices by kind',
      'Stranded devices per kind.',
      [{ expr: byKind('vmzombie_reclaimable_devices'), legend: '{{kind}}' }],
      'short',
      12,
    )
    .row('Over time, by host, cluster and vCenter')
    .timeseries(
      'Memory by host',
      'Reclaimable memory per exporter (host, cluster agent or vCenter exporter).',
      [{ expr: byHost('vmzombie_reclaimable_memory_bytes'), legend: '{{cluster}} {{instance}}' }],
      'bytes',
      8,
    )
    .timeseries(
      'vCPUs by host',
      'Reclaimable vCPUs per exporter.',
      [{ expr: byHost('vmzombie_reclaimable_vcpus'), legend: '{{cluster}} {{instance}}' }],
      'short',
      8,
    )
    .timeseries(
      'Findings by vCenter',
      'Findings per vCenter.',
      [
        {
          expr: `count by (vcenter) (max without (job) (${q(c, 'vmzombie_finding_age_seconds', { vcenter: '!=' })}))`,
          legend: '{{vcenter}}',
        },
      ],
      'short',
      8,
    )
    .row('Findings')
    .table(
      'Findings by age',
      'Every reported finding: its kind, subject, names and age. The kind links to its runbook on the exporter.',
      [{ expr: findings }],
      's',
      { kind: 'http://${__data.fields.instance}/runbooks/${__data.fields.kind}' },
      24,
      10,
    )
    .build();
}
