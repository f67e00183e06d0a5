// One entry per finding kind. A kind without an entry does not compile (satisfies Record<...>).
import type { FindingKind } from '../detectors/finding.js';
import type { KindSpec } from './kind-spec.js';

const DOMAIN_LABELS = ['domain', 'uuid'] as const;

export const CATALOG = {
  qemu_without_domain: {
    title: 'qemu process that no libvirt domain owns',
    scope: 'libvirt',
    labels: ['guest', 'uuid', 'pid'],
    reclaims: ['vcpus', 'memoryBytes'],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieQemuWithoutDomain', severity: 'critical', for: '5m', summary: 'qemu pid {{ $labels.pid }} ({{ $labels.guest }}) runs without a libvirt domain' },
  },
  domain_without_process: {
    title: 'libvirt says the domain runs, but no qemu process exists',
    scope: 'libvirt',
    labels: DOMAIN_LABELS,
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieDomainWithoutProcess', severity: 'warning', for: '5m', summary: 'domain {{ $labels.domain }} is active in libvirt but has no qemu process' },
  },
  autostart_not_running: {
    title: 'autostart domain not running',
    scope: 'libvirt',
    labels: DOMAIN_LABELS,
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieAutostartDomainNotRunning', severity: 'warning', for: '10m', summary: 'autostart domain {{ $labels.domain }} is not running' },
  },
  domain_paused: {
    title: 'domain paused, memory still held',
    scope: 'libvirt',
    labels: [...DOMAIN_LABELS, 'reason'],
    reclaims: ['vcpus', 'memoryBytes'],
    graceFlag: 'detect.paused-grace',
    alert: { name: 'VMZombieDomainPaused', severity: 'warning', for: '30m', summary: 'domain {{ $labels.domain }} paused ({{ $labels.reason }})' },
  },
  domain_stuck_shutting_down: {
    title: 'domain stuck in shutdown',
    scope: 'libvirt',
    labels: DOMAIN_LABELS,
    reclaims: ['vcpus', 'memoryBytes'],
    graceFlag: 'detect.shutdown-grace',
    alert: { name: 'VMZombieDomainStuckShuttingDown', severity: 'warning', for: '5m', summary: 'domain {{ $labels.domain }} has been shutting down too long' },
  },
  domain_crashed: {
    title: 'domain crashed or failed',
    scope: 'libvirt',
    labels: [...DOMAIN_LABELS, 'reason'],
    reclaims: ['vcpus', 'memoryBytes'],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieDomainCrashed', severity: 'warning', for: '1m', summary: 'domain {{ $labels.domain }} crashed ({{ $labels.reason }})' },
  },
  image_locked_by_foreign_process: {
    title: "running domain's image locked by another process",
    scope: 'libvirt',
    labels: ['image', ...DOMAIN_LABELS],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieImageLockedByForeignProcess', severity: 'warning', for: '10m', summary: 'image {{ $labels.image }} of {{ $labels.domain }} is locked by a process that is not its qemu' },
  },
  image_locked_while_domain_inactive: {
    title: 'image of a shut-off domain still locked',
    scope: 'libvirt',
    labels: ['image', ...DOMAIN_LABELS],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieImageLockedWhileDomainInactive', severity: 'critical', for: '5m', summary: 'image {{ $labels.image }} is locked although {{ $labels.domain }} is shut off' },
  },
  kubevirt_stuck_deletion: {
    title: 'Kubernetes object stuck in deletion (finalizer never removed)',
    scope: 'kubevirt',
    labels: ['namespace', 'resource', 'name'],
    reclaims: [],
    graceFlag: 'detect.deletion-grace',
    alert: { name: 'VMZombieKubevirtStuckDeletion', severity: 'warning', for: '10m', summary: '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} has been deleting for too long' },
  },
  kubevirt_vm_stuck_status: {
    title: 'VirtualMachine stuck in Stopping, Terminating, Unknown or an error status',
    scope: 'kubevirt',
    labels: ['namespace', 'name', 'status'],
    reclaims: [],
    graceFlag: 'detect.vm-status-grace',
    alert: { name: 'VMZombieKubevirtVMStuckStatus', severity: 'warning', for: '10m', summary: 'VM {{ $labels.namespace }}/{{ $labels.name }} stuck in {{ $labels.status }}' },
  },
  virt_launcher_pod_orphaned: {
    title: 'virt-launcher pod without its VMI, or a deleted VMI without its pod',
    scope: 'kubevirt',
    labels: ['namespace', 'name', 'resource'],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieVirtLauncherPodOrphaned', severity: 'warning', for: '10m', summary: '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} lost its virt-launcher/VMI counterpart' },
  },
  kubevirt_freeze_loop: {
    title: 'VMI guest filesystem frozen and thawed in a loop',
    scope: 'kubevirt',
    labels: ['namespace', 'name'],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieKubevirtFreezeLoop', severity: 'critical', for: '2m', summary: 'VMI {{ $labels.namespace }}/{{ $labels.name }} is frozen and unfrozen again and again' },
  },
  kubevirt_backup_error: {
    title: 'VM backup in Error (Harvester retries it, freezing the guest each time)',
    scope: 'kubevirt',
    labels: ['namespace', 'name', 'source', 'resource'],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieKubevirtBackupError', severity: 'warning', for: '5m', summary: 'backup {{ $labels.namespace }}/{{ $labels.name }} of {{ $labels.source }} is in Error' },
  },
  virt_handler_memory_near_limit: {
    title: 'virt-handler working set near its memory limit',
    scope: 'kubevirt',
    labels: ['namespace', 'pod', 'node'],
    reclaims: [],
    graceFlag: 'detect.grace',
    alert: { name: 'VMZombieVirtHandlerMemoryNearLimit', severity: 'warning', for: '5m', summary: 'virt-handler {{ $labels.pod }} on {{ $labels.node }} is near its memory limit' },
  },
} as const satisfies Record<FindingKind, KindSpec>;

export const FINDING_KINDS = Object.keys(CATALOG) as FindingKind[];

export function kindSpec(kind: FindingKind): KindSpec {
  return CATALOG[kind];
}
