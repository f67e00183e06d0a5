// Kinds of the libvirt host family judged on libvirt's domains: processes, states, locks, images.
import type { KindEntry } from './kind-spec.js';
import { qemuWithoutDomain } from '../detectors/qemu-without-domain.js';
import { domainWithoutProcess } from '../detectors/domain-without-process.js';
import { autostartNotRunning } from '../detectors/autostart-not-running.js';
import { domainPaused } from '../detectors/domain-paused.js';
import { domainStuckShuttingDown } from '../detectors/domain-stuck-shutting-down.js';
import { domainCrashed } from '../detectors/domain-crashed.js';
import { imageLockedByForeignProcess } from '../detectors/image-locked-by-foreign-process.js';
import { imageLockedWhileDomainInactive } from '../detectors/image-locked-while-domain-inactive.js';
import { backingChainMissingLink } from '../detectors/backing-chain-missing-link.js';
import { snapshotChainDeep } from '../detectors/snapshot-chain-deep.js';
import { orphanVolume } from '../detectors/orphan-volume.js';
import { managedSaveStale } from '../detectors/managed-save-stale.js';
import { blockJobStuck } from '../detectors/block-job-stuck.js';
import { domainShutOffLong } from '../detectors/domain-shut-off-long.js';
import { dhcpLeaseWithoutDomain } from '../detectors/dhcp-lease-without-domain.js';
import { nwfilterBindingWithoutDomain } from '../detectors/nwfilter-binding-without-domain.js';

export const LIBVIRT_KINDS = {
  qemu_without_domain: {
    detector: qemuWithoutDomain,
    title: 'qemu process that no libvirt domain owns',
    description:
      'A qemu guest process runs that no active libvirt domain owns: libvirt lost track of it (a daemon crash or ' +
      "restart, a half-finished destroy) or someone started it by hand. It keeps the guest's vCPUs and memory, and " +
      'holds its disk images open and locked.',
    diagnose: 'ps -o pid,lstart,rss,args -p {{pid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieQemuWithoutDomain',
      severity: 'warning',
      for: '5m',
      summary: 'qemu pid {{ $labels.pid }} ({{ $labels.guest }}) runs without a libvirt domain',
    },
  },
  domain_without_process: {
    detector: domainWithoutProcess,
    title: 'libvirt says the domain runs, but no qemu process exists',
    description:
      'libvirt reports the domain as running, paused or in shutdown, but no live qemu process has its recorded pid ' +
      "or uuid. libvirt's view is wrong: a start, migration or destroy of this domain may fail or act on the wrong " +
      'process.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieDomainWithoutProcess',
      severity: 'warning',
      for: '5m',
      summary: 'domain {{ $labels.domain }} is active in libvirt but has no qemu process',
    },
  },
  autostart_not_running: {
    detector: autostartNotRunning,
    title: 'autostart domain not running',
    description:
      'A domain marked autostart is not running although the host and libvirtd have been up longer than the ' +
      'autostart grace: it did not come back after a reboot or was stopped and forgotten.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieAutostartDomainNotRunning',
      severity: 'warning',
      for: '10m',
      summary: 'autostart domain {{ $labels.domain }} is not running',
    },
  },
  domain_paused: {
    detector: domainPaused,
    title: 'domain paused, memory still held',
    description:
      'A domain has been paused (by a user, an I/O error, a full disk, a failed migration or a snapshot) for longer ' +
      'than the paused grace. A paused guest serves nothing but keeps all its memory and vCPUs reserved.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainPaused',
      severity: 'warning',
      for: '30m',
      summary: 'domain {{ $labels.domain }} paused ({{ $labels.reason }})',
    },
  },
  domain_stuck_shutting_down: {
    detector: domainStuckShuttingDown,
    title: 'domain stuck in shutdown',
    description:
      'A domain has been in shutdown for longer than the shutdown grace: the guest ignored or never finished the ' +
      'ACPI shutdown request, and keeps its memory and vCPUs.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainStuckShuttingDown',
      severity: 'warning',
      for: '5m',
      summary: 'domain {{ $labels.domain }} has been shutting down too long',
    },
  },
  domain_crashed: {
    detector: domainCrashed,
    title: 'domain crashed or failed',
    description:
      'A domain is shut off with reason crashed or failed, or libvirt reports it crashed: its qemu died (killed, out ' +
      'of memory, a qemu or guest panic) and nobody restarted it.',
    diagnose: 'tail -n 50 /var/log/libvirt/qemu/{{domain}}.log',
    scope: 'libvirt',
    reclaims: ['vcpus', 'memoryBytes'],
    alert: {
      name: 'VMZombieDomainCrashed',
      severity: 'warning',
      for: '1m',
      summary: 'domain {{ $labels.domain }} crashed ({{ $labels.reason }})',
    },
  },
  image_locked_by_foreign_process: {
    detector: imageLockedByForeignProcess,
    title: "running domain's image locked by another process",
    description:
      "A disk image of a running domain is locked by a process that is not that domain's qemu (a second qemu, a " +
      "backup or copy tool, a stray qemu-img). Two writers on one image corrupt it; the domain's own qemu may also " +
      'fail to reopen it.',
    diagnose: 'lsof {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieImageLockedByForeignProcess',
      severity: 'critical',
      for: '10m',
      summary: 'image {{ $labels.image }} of {{ $labels.domain }} is locked by a process that is not its qemu',
    },
  },
  image_locked_while_domain_inactive: {
    detector: imageLockedWhileDomainInactive,
    title: 'image of a shut-off domain still locked',
    description:
      'A disk image of a shut-off domain is still locked by some process: the domain cannot start again until the ' +
      'lock is released, and whatever holds it may be writing to the image.',
    diagnose: 'lsof {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieImageLockedWhileDomainInactive',
      severity: 'warning',
      for: '5m',
      summary: 'image {{ $labels.image }} is locked although {{ $labels.domain }} is shut off',
    },
  },
  backing_chain_missing_link: {
    detector: backingChainMissingLink,
    title: "a domain's disk chain names a backing file that does not exist",
    description:
      "A domain's disk chain names a backing file that does not exist: the domain cannot start again, and a running " +
      'guest may be reading a file that was deleted while open.',
    diagnose: 'qemu-img info -U --backing-chain {{image}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieBackingChainMissingLink',
      severity: 'critical',
      for: '5m',
      summary: 'backing file of {{ $labels.image }} ({{ $labels.domain }}) is missing',
    },
  },
  snapshot_chain_deep: {
    detector: snapshotChainDeep,
    title: 'disk chain deeper than --detect.max-chain-depth',
    description:
      "A domain's disk chain (active layer plus backing files) is deeper than the maximum depth: every read may walk " +
      'the chain, and external snapshots were never merged back.',
    diagnose: 'virsh -r domblklist {{uuid}} --details',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieSnapshotChainDeep',
      severity: 'warning',
      for: '1h',
      summary: 'disk {{ $labels.target }} of {{ $labels.domain }} has a deep backing chain',
    },
  },
  orphan_volume: {
    detector: orphanVolume,
    title: 'storage volume that no domain uses',
    description:
      'A volume in a libvirt storage pool that is not a directory (LVM, Ceph RBD, iSCSI, ZFS, SCSI, multipath) is ' +
      'used by no defined domain: not as a disk, a backing volume or in snapshot metadata. Its allocation is ' +
      'reclaimable. In a pool other hosts share (shared="true"), a guest on another host may still use it.',
    diagnose: 'virsh -r vol-dumpxml --pool {{pool}} {{volume}}',
    scope: 'libvirt',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieOrphanVolume',
      severity: 'info',
      for: '1h',
      summary: 'volume {{ $labels.volume }} in pool {{ $labels.pool }} is used by no domain',
    },
  },
  managed_save_stale: {
    detector: managedSaveStale,
    title: 'managed-save image nobody resumed',
    description:
      "A domain's managed-save image (its whole RAM, written by `virsh managedsave`) is older than the grace, or a " +
      "save file in libvirt's save directory has no domain that will resume it. The domain cannot be undefined " +
      'without --managed-save, and a resume long after the save may fail.',
    diagnose: 'virsh -r dominfo {{domain}}',
    scope: 'libvirt',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieManagedSaveStale',
      severity: 'info',
      for: '1h',
      summary: 'managed-save image of {{ $labels.domain }} was never resumed',
    },
  },
  block_job_stuck: {
    detector: blockJobStuck,
    title: 'block job never finished or never pivoted',
    description:
      "A block copy or active commit has run on a domain's disk for longer than the grace, or reached its end " +
      '(ready) and was never pivoted or cancelled: every write goes to two images and the overlays stay.',
    diagnose: 'virsh -r blockjob {{uuid}} {{disk}} --info',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieBlockJobStuck',
      severity: 'warning',
      for: '30m',
      summary: 'block job ({{ $labels.block_job }}) on {{ $labels.disk }} of {{ $labels.domain }} never finished',
    },
  },
  domain_shut_off_long: {
    detector: domainShutOffLong,
    title: 'domain shut off for a long time, still holding its disks',
    description:
      'A persistent domain has been shut off longer than the grace (30 days by default, dated by its qemu log), ' +
      'and still holds its disks. Mark a template with metadata in the urn:vmzombie:template namespace.',
    diagnose: 'virsh -r domstate --reason {{uuid}}',
    scope: 'libvirt',
    reclaims: ['diskBytes'],
    alert: {
      name: 'VMZombieDomainShutOffLong',
      severity: 'info',
      for: '1h',
      summary: 'domain {{ $labels.domain }} has been shut off for a long time',
    },
  },
  dhcp_lease_without_domain: {
    detector: dhcpLeaseWithoutDomain,
    title: 'DHCP lease of a MAC no defined domain has',
    description:
      "An unexpired DHCP lease in a libvirt network names a MAC that is on no defined domain's interface, running " +
      "or shut off: what is left of an undefined guest. It holds one address of the network's range (the finding " +
      "count is the address count) and hands the dead guest's hostname to whoever gets the address next.",
    diagnose: 'virsh -r net-dhcp-leases {{network}} --mac {{mac}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieDhcpLeaseWithoutDomain',
      severity: 'info',
      for: '30m',
      summary: 'DHCP lease {{ $labels.ip }} ({{ $labels.mac }}) in network {{ $labels.network }} has no domain',
    },
  },
  nwfilter_binding_without_domain: {
    detector: nwfilterBindingWithoutDomain,
    title: 'nwfilter binding whose owner domain does not run',
    description:
      'An nwfilter binding (a filter libvirt applies to a guest port device) names an owner domain that is not ' +
      'running: it outlived its guest. Its rules stay on that tap name and filter or block the next guest that ' +
      'gets the same tap.',
    diagnose: 'virsh -r nwfilter-binding-dumpxml {{port_dev}}',
    scope: 'libvirt',
    reclaims: [],
    alert: {
      name: 'VMZombieNwfilterBindingWithoutDomain',
      severity: 'warning',
      for: '15m',
      summary:
        'nwfilter binding {{ $labels.filter }} on {{ $labels.port_dev }} outlived its domain {{ $labels.domain }}',
    },
  },
} as const satisfies Record<string, KindEntry>;
