// Hypervisor hosts: findings by kind and host, domain states, autostart guests that are off, image
// locks, VFIO devices, hugepages, taps, storage pools and disk chains.
import { CATALOG, FINDING_KINDS } from '../../catalog/catalog.js';
import type { BundleConfig } from '../config.js';
import { Dash, dedup, q } from './common.js';

const HOST_KINDS = FINDING_KINDS.filter((k) => CATALOG[k].scope === 'libvirt' || CATALOG[k].scope === 'host');
const HUGEPAGES = 'hugepages_reserved_without_domain';
const DEVICE_KINDS = [
  'vfio_device_without_domain',
  'vfio_group_held_by_foreign_process',
  'mdev_without_domain',
  'tap_without_domain',
  HUGEPAGES,
];

export function hypervisorDashboard(c: BundleConfig): object {
  const finding = (kind: string) => `max without (job) (${q(c, 'vmzombie_finding_age_seconds', { kind })})`;
  const count = (kind: string) => `sum(${dedup('cluster, instance', q(c, 'vmzombie_findings', { kind }))})`;
  const hostFindings = dedup(
    'cluster, instance, kind',
    q(c, 'vmzombie_findings', { kind: `=~${HOST_KINDS.join('|')}` }),
  );
  return new Dash(
    c,
    'vmzombie-hypervisor',
    'vmzombie / Hypervisor hosts',
    'KVM/libvirt hosts: what the node agent finds, host by host.',
  )
    .row('Findings')
    .timeseries(
      'Findings by kind',
      'Findings of the libvirt and host kinds.',
      [{ expr: `sum by (kind) (${hostFindings}) > 0`, legend: '{{kind}}' }],
      'short',
      12,
    )
    .timeseries(
      'Findings by host',
      'Findings per host, libvirt and host kinds.',
      [{ expr: `sum by (cluster, instance) (${hostFindings})`, legend: '{{cluster}} {{instance}}' }],
      'short',
      12,
    )
    .row('Domains')
    .timeseries(
      'Domains by state',
      'libvirt domains per state, every host.',
      [
        {
          expr: `sum by (state) (${dedup('cluster, instance, state', q(c, 'vmzombie_libvirt_domains'))})`,
          legend: '{{state}}',
        },
      ],
      'short',
      12,
    )
    .stat('Autostart not running', 'Autostart domains that are off.', count('autostart_not_running'), 'short', 4)
    .stat('Paused', 'Domains paused past their grace.', count('domain_paused'), 'short', 4)
    .stat('Crashed', 'Domains crashed or failed.', count('domain_crashed'), 'short', 4)
    .table(
      'Autostart domains not running',
      'Domains marked autostart that are not running.',
      [{ expr: finding('autostart_not_running') }],
      's',
      {},
      12,
      7,
    )
    .table(
      'Domain info',
      'Every domain with its state and autostart flag.',
      [{ expr: `max without (job) (${q(c, 'vmzombie_libvirt_domain_info')})` }],
      'short',
      {},
      12,
      7,
    )
    .row('Images and chains')
    .table(
      'Image locks',
      'Images locked by a process that is not their qemu, or while their domain is off.',
      [{ expr: finding('=~image_locked_by_foreign_process|image_locked_while_domain_inactive') }],
      's',
      {},
      12,
      7,
    )
    .table(
      'Orphan images and broken chains',
      'Images no domain references, chains with a missing link or too deep.',
      [{ expr: finding('=~orphan_image|backing_chain_missing_link|snapshot_chain_deep') }],
      's',
      {},
      12,
      7,
    )
    .timeseries(
      'Pool bytes',
      'Bytes allocated by the images of each storage pool.',
      [
        {
          expr: `max by (cluster, instance, pool) (${q(c, 'vmzombie_pool_image_bytes')})`,
          legend: '{{instance}} {{pool}}',
        },
      ],
      'bytes',
      8,
    )
    .timeseries(
      'Pool images by format',
      'Image files per pool and format.',
      [
        {
          expr: `max by (cluster, instance, pool, format) (${q(c, 'vmzombie_pool_images')})`,
          legend: '{{instance}} {{pool}} {{format}}',
        },
      ],
      'short',
      8,
    )
    .timeseries(
      'Deepest disk chains',
      'The ten deepest disk chains (active layer plus backing files).',
      [
        {
          expr: `topk(10, max by (cluster, instance, domain, target) (${q(c, 'vmzombie_domain_disk_chain_depth')}))`,
          legend: '{{domain}} {{target}}',
        },
      ],
      'short',
      8,
    )
    .row('Devices, hugepages and taps')
    .timeseries(
      'VFIO devices',
      'PCI devices on vfio-pci: assigned to a running domain, or not.',
      [
        {
          expr: `sum by (state) (${dedup('cluster, instance, state', q(c, 'vmzombie_vfio_devices'))})`,
          legend: '{{state}}',
        },
      ],
      'short',
      8,
    )
    .stat(
      'Stranded VFIO devices',
      'Devices on vfio-pci no running domain uses.',
      count('vfio_device_without_domain'),
      'short',
      4,
    )
    .stat(
      'Unused hugepage memory',
      'Hugepage memory no running domain accounts for.',
      `sum(${dedup('cluster, instance', q(c, 'vmzombie_reclaimable_memory_bytes', { kind: HUGEPAGES }))})`,
      'bytes',
      4,
    )
    .stat('Stray taps', 'tap/macvtap interfaces no running domain owns.', count('tap_without_domain'), 'short', 4)
    .stat('Stray mdevs', 'Mediated devices no running domain uses.', count('mdev_without_domain'), 'short', 4)
    .table(
      'Device findings',
      'Stranded devices, foreign VFIO group holders, stray mdevs and taps.',
      [{ expr: finding(`=~${DEVICE_KINDS.join('|')}`) }],
      's',
      {},
      24,
      7,
    )
    .build();
}
