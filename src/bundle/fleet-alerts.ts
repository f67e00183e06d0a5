// Alerts judged across hosts: joins over series every node agent exports with a key that is the same on
// every host (a domain's uuid; a shared store and the path inside it). Each keeps `cluster` where present
// and never joins across clusters, so the rules work unchanged on a Thanos/Mimir querier holding many.
import type { FindingKind } from '../detectors/finding.js';
import type { AlertDef } from './alerts.js';
import type { BundleConfig } from './config.js';
import { by, sel } from './query.js';
import { firstInstanceTemplate, instancesTemplate } from './template.js';

const INFO = 'vmzombie_libvirt_domain_info';

/**
 * Copies that may run guest code: every running copy, and paused ones unless paused for a migration
 * (a live migration's destination waits paused as "migrating"; in post-copy the source waits paused as
 * "post-copy"). So a migration in progress is one active copy, whatever its length.
 */
function activeCopies(c: BundleConfig, labels: readonly string[]): string {
  return (
    `(max ${by(labels)} (${sel(c, INFO, { state: 'running' })})\n` +
    ` or max ${by(labels)} (${sel(c, INFO, { state: 'paused', reason: '!~migrating|post-copy' })}))`
  );
}

/** Running or paused anywhere (migration copies included): "the uuid runs on some instance". */
function runningAnywhere(c: BundleConfig): string {
  return `max by (cluster, uuid) (${sel(c, INFO, { state: '=~running|paused' })})`;
}

/** The fleet condition of a kind's local alert: the autostart alert is silent when the uuid runs elsewhere. */
export function kindFleetGuard(c: BundleConfig, kind: FindingKind, expr: string): string {
  if (kind !== 'autostart_not_running') return expr;
  return `${expr}\nunless on (cluster, uuid)\n${runningAnywhere(c)}`;
}

export function fleetAlerts(c: BundleConfig): AlertDef[] {
  const domainAt = ['cluster', 'instance', 'uuid', 'domain'];
  const hostsRunning = instancesTemplate(
    `max by (instance) (${sel(c, INFO, { state: '=~running|paused' }, 'uuid=%q,cluster=%q')})`,
    ['uuid', 'cluster'],
  );
  const unusedSel = sel(c, 'vmzombie_shared_image', { state: 'unused' }, 'store=%q,image=%q,cluster=%q');
  const unusedBy = `max by (instance) (${unusedSel})`;
  const looked = `max by (cluster, instance, store) (${sel(c, 'vmzombie_shared_storage_judged')})`;
  return [
    {
      name: 'VMZombieDomainRunningOnSeveralHosts',
      group: 'libvirt',
      severity: 'critical',
      for: c.severalHostsFor,
      expr:
        `${activeCopies(c, domainAt)}\n` +
        `* on (cluster, uuid) group_left ()\n` +
        `(count by (cluster, uuid) (${activeCopies(c, ['cluster', 'instance', 'uuid'])}) > 1)`,
      resultLabels: domainAt,
      summary: 'domain {{ $labels.domain }} ({{ $labels.uuid }}) runs on {{ $value | humanize }} hosts at once',
      description:
        `Domain {{ $labels.domain }} (uuid {{ $labels.uuid }}) is running or paused on {{ $value | humanize }} ` +
        `instances at once: ${hostsRunning}. This alert is {{ $labels.instance }}'s copy. Two qemu processes of one ` +
        `guest write the same disks (shared storage) or split its service: a failed migration or an HA restart ` +
        `while the old host was only cut off. Copies paused for a live migration are not counted.`,
    },
    {
      name: 'VMZombieDomainStaleDefinition',
      group: 'libvirt',
      severity: 'warning',
      for: c.staleDefinitionFor,
      expr:
        `max ${by([...domainAt, 'autostart'])} ` +
        `(${sel(c, INFO, { persistent: 'true', state: '=~shutoff|crashed' })})\n` +
        `* on (cluster, uuid) group_left (running_on)\n` +
        // topk: one running host per uuid even when it runs on two (that is the critical alert's case),
        // so the join never meets two series in one match group.
        `topk by (cluster, uuid) (1, label_replace(max by (cluster, instance, uuid) ` +
        `(${sel(c, INFO, { state: '=~running|paused' })}), "running_on", "$1", "instance", "(.*)"))`,
      resultLabels: [...domainAt, 'autostart', 'running_on'],
      summary: 'domain {{ $labels.domain }} is defined but shut off here and runs on {{ $labels.running_on }}',
      description:
        `Domain {{ $labels.domain }} (uuid {{ $labels.uuid }}) is defined on {{ $labels.instance }}, shut off ` +
        `(autostart {{ $labels.autostart }}), and the same uuid runs on {{ $labels.running_on }}: a copy left ` +
        `behind by a migration without --undefinesource. Starting it here would start a second copy of a running ` +
        `guest on the same disks.`,
    },
    {
      name: 'VMZombieSharedImageOrphan',
      group: 'host',
      severity: 'info',
      for: c.sharedImageOrphanFor,
      // Every host that mounts the store judged it, every one of them calls the image unused, and none uses it.
      expr:
        `count by (cluster, store, image) (max by (cluster, instance, store, image) ` +
        `(${sel(c, 'vmzombie_shared_image', { state: 'unused' })}))\n` +
        `== on (cluster, store) group_left ()\n` +
        `count by (cluster, store) (${looked})\n` +
        `unless on (cluster, store, image)\n` +
        `max by (cluster, store, image) (${sel(c, 'vmzombie_shared_image', { state: 'in_use' })})\n` +
        `unless on (cluster, store)\n` +
        `(min by (cluster, store) (${looked}) == 0)`,
      resultLabels: ['cluster', 'store', 'image'],
      summary: 'image {{ $labels.image }} on shared storage {{ $labels.store }} is used by no host',
      description:
        `Image {{ $labels.image }} on shared storage {{ $labels.store }}{{ with $labels.cluster }} (cluster {{ . }})` +
        `{{ end }} is referenced by no defined domain and open in no process on any of the {{ $value | humanize }} ` +
        `hosts that mount it and looked: ${instancesTemplate(unusedBy, ['store', 'image', 'cluster'])}. A host ` +
        `whose exporter is down is not among them.`,
      runbookInstance: firstInstanceTemplate(unusedBy, ['store', 'image', 'cluster']),
    },
  ];
}
