// Every alert of the bundle: one per finding kind (from the catalog) and the exporter, collector and
// cluster alerts that are not a finding. Pure data and query strings; `rules.ts` turns them into rule
// groups. Every alert keeps `instance` (the default runbook link points at the exporter that fired it)
// and `cluster`, and takes `max` over the jobs that may scrape one exporter twice.
import { CATALOG, FINDING_KINDS } from '../catalog/catalog.js';
import type { Scope, Severity } from '../catalog/kind-spec.js';
import type { FindingKind } from '../detectors/finding.js';
import { DEFAULT_CONFIG, type BundleConfig } from './config.js';
import { by, sel } from './query.js';
import { fleetAlerts, kindFleetGuard } from './fleet-alerts.js';

export type AlertGroup = Scope | 'exporter';

export interface AlertDef {
  name: string;
  group: AlertGroup;
  severity: Severity;
  for: string;
  expr: string;
  /** The labels of the expression's result: the only ones a template may name. */
  resultLabels: readonly string[];
  summary: string;
  description: string;
  /** The finding kind this alert reports, if it is a kind alert. */
  kind?: FindingKind;
  /** For an alert without an `instance` label: a template naming the exporter its runbook link points at. */
  runbookInstance?: string;
}

const WHERE = '{{ $labels.instance }}{{ with $labels.cluster }} (cluster {{ . }}){{ end }}';

/** The labels of a kind's alert: where it was found, the kind, the subject and the catalog's labels. */
export function kindResultLabels(kind: FindingKind): string[] {
  return ['cluster', 'instance', 'kind', 'subject', ...CATALOG[kind].labels];
}

function kindAlert(config: BundleConfig, kind: FindingKind): AlertDef {
  const spec = CATALOG[kind];
  const labels = kindResultLabels(kind);
  return {
    name: spec.alert.name,
    group: spec.scope,
    severity: spec.alert.severity,
    for: spec.alert.for,
    expr: kindFleetGuard(config, kind, `max ${by(labels)} (${sel(config, 'vmzombie_finding_age_seconds', { kind })})`),
    resultLabels: labels,
    summary: spec.alert.summary,
    description: `{{ $labels.subject }} on ${WHERE}, seen for {{ $value | humanizeDuration }}. ${spec.description}`,
    kind,
  };
}

function extraAlerts(c: BundleConfig): AlertDef[] {
  const at = ['cluster', 'instance'];
  const collector = [...at, 'collector'];
  const handler = [...at, 'namespace', 'node', 'pod'];
  const vmi = [...at, 'namespace', 'name'];
  const finalizer = [...at, 'namespace', 'resource', 'name', 'finalizer'];
  const target = [...at, 'endpoint', 'bucket'];
  const datastore = [...at, 'vcenter', 'datastore'];
  const hours = (s: number) => `${s / 3600}h`;
  return [
    {
      name: 'VMZombieExporterDown',
      group: 'exporter',
      severity: 'warning',
      for: '5m',
      expr: `max ${by(['cluster', 'instance'])} (${sel(c, 'up')}) == 0`,
      resultLabels: at,
      summary: 'vmzombie exporter {{ $labels.instance }} cannot be scraped',
      description:
        `Prometheus has failed to scrape the vmzombie exporter ${WHERE} for 5 minutes: no finding of that ` +
        `host or cluster is reported, and no finding alert from it can fire.`,
    },
    {
      name: 'VMZombieCollectorDown',
      group: 'exporter',
      severity: 'warning',
      for: '10m',
      // A collector with nothing to read on this host (state "absent", e.g. no vfio) is not down.
      expr:
        `max ${by(collector)} (${sel(c, 'vmzombie_collector_up')} == 0)\n` +
        `unless on (cluster, instance, collector)\n` +
        `max ${by(collector)} (${sel(c, 'vmzombie_collector_state', { state: 'absent' })} == 1)`,
      resultLabels: collector,
      summary: 'collector {{ $labels.collector }} of {{ $labels.instance }} is down',
      description:
        `The {{ $labels.collector }} collector of ${WHERE} has failed (error or timeout) for 10 minutes. ` +
        `The detectors that need it are skipped or judge its last good data, so findings of that source may be ` +
        `missing or out of date.`,
    },
    {
      name: 'VMZombieCollectorStale',
      group: 'exporter',
      severity: 'warning',
      for: '5m',
      expr:
        `time() - max ${by(collector)} (${sel(c, 'vmzombie_collector_last_success_timestamp_seconds')}) > ` +
        `${c.collectorStaleSeconds}`,
      resultLabels: collector,
      summary:
        'collector {{ $labels.collector }} of {{ $labels.instance }} has not succeeded for {{ $value | ' +
        'humanizeDuration }}',
      description:
        `The {{ $labels.collector }} collector of ${WHERE} last succeeded {{ $value | humanizeDuration }} ` +
        `ago (threshold ${c.collectorStaleSeconds / 60}m). The exporter still serves its last good data, marked ` +
        `stale: findings of that source are that old.`,
    },
    {
      name: 'VMZombieFindingsDropped',
      group: 'exporter',
      severity: 'warning',
      for: '0m',
      expr: `max ${by([...at, 'kind'])} (increase(${sel(c, 'vmzombie_findings_dropped_total')}[15m])) > 0`,
      resultLabels: [...at, 'kind'],
      summary: 'per-finding series of {{ $labels.kind }} on {{ $labels.instance }} are being dropped',
      description:
        `The exporter ${WHERE} has more {{ $labels.kind }} findings than --findings.max-per-kind allows and ` +
        `leaves the newest out of /metrics. Their alerts cannot fire; the counts in vmzombie_findings stay complete.`,
    },
    {
      name: 'VMZombieVirtHandlerMemoryForecast',
      group: 'kubevirt',
      severity: 'warning',
      for: '15m',
      expr:
        `max ${by(handler)} (predict_linear(${sel(c, 'vmzombie_virt_handler_memory_working_set_bytes')}[1h], ` +
        `${c.virtHandlerForecastSeconds}))\n` +
        `>= on (cluster, instance, namespace, node, pod)\n` +
        `max ${by(handler)} (${sel(c, 'vmzombie_virt_handler_memory_limit_bytes')} > 0)`,
      resultLabels: handler,
      summary:
        'virt-handler {{ $labels.pod }} on {{ $labels.node }} is forecast to reach its memory limit within ' +
        hours(c.virtHandlerForecastSeconds),
      description:
        `The working set of virt-handler {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node ` +
        `}}, seen by ${WHERE}, grew over the last hour at a rate that reaches its memory limit within ` +
        `${hours(c.virtHandlerForecastSeconds)} (forecast {{ $value | humanize1024 }}B). When it does, the kernel ` +
        `OOM-kills it and VM management on that node stops until it restarts.`,
    },
    {
      name: 'VMZombieVirtHandlerOOMKilled',
      group: 'kubevirt',
      severity: 'warning',
      for: '0m',
      expr: `max ${by(handler)} (increase(${sel(c, 'vmzombie_virt_handler_oom_kills_total')}[1h])) > 0`,
      resultLabels: handler,
      summary: 'virt-handler {{ $labels.pod }} on {{ $labels.node }} was OOM-killed in the last hour',
      description:
        `virt-handler {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }}, seen by ` +
        `${WHERE}, was killed for running out of memory in the last hour. While it restarts, VMs on that node are ` +
        `not started, stopped or migrated.`,
    },
    {
      name: 'VMZombieKubevirtVMIFreezeRate',
      group: 'kubevirt',
      severity: 'warning',
      for: '5m',
      expr:
        `max ${by(vmi)} (rate(${sel(c, 'vmzombie_kubevirt_vmi_freeze_transitions_total')}[15m])) * 3600 > ` +
        `${c.freezeTransitionsPerHour}`,
      resultLabels: vmi,
      summary:
        'VMI {{ $labels.namespace }}/{{ $labels.name }} changes its freeze state {{ $value | humanize }} times ' +
        'an hour',
      description:
        `The guest filesystems of VMI {{ $labels.namespace }}/{{ $labels.name }}, seen by ${WHERE}, were ` +
        `frozen or thawed at {{ $value | humanize }} transitions an hour over the last 15 minutes (threshold ` +
        `${c.freezeTransitionsPerHour}). A backup or snapshot controller is retrying; each freeze stalls the guest's ` +
        `writes.`,
    },
    {
      name: 'VMZombieKubevirtFinalizerStuck',
      group: 'kubevirt',
      severity: 'warning',
      for: '5m',
      expr: `max ${by(finalizer)} (${sel(c, 'vmzombie_kubevirt_deletion_stuck_seconds')}) > ${c.finalizerStuckSeconds}`,
      resultLabels: finalizer,
      summary:
        '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} has waited {{ $value | ' +
        'humanizeDuration }} on finalizer {{ $labels.finalizer }}',
      description:
        `{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }}, seen by ${WHERE}, was deleted ` +
        `{{ $value | humanizeDuration }} ago and finalizer "{{ $labels.finalizer }}" still holds it (threshold ` +
        `${c.finalizerStuckSeconds / 60}m). The controller that owns that finalizer is not finishing its cleanup.`,
    },
    {
      name: 'VMZombieKubevirtBackupTargetShared',
      group: 'kubevirt',
      severity: 'warning',
      for: '15m',
      // One alert per cluster agent that writes to a target another cluster also writes to.
      expr:
        `max ${by(target)} (${sel(c, 'vmzombie_kubevirt_backup_target_info')})\n` +
        `and on (endpoint, bucket)\n` +
        `count by (endpoint, bucket) (max by (cluster, endpoint, bucket) (` +
        `${sel(c, 'vmzombie_kubevirt_backup_target_info')})) > 1`,
      resultLabels: target,
      summary: 'backup target {{ $labels.endpoint }} bucket {{ $labels.bucket }} is shared by more than one cluster',
      description:
        `Cluster {{ $labels.cluster }} (exporter {{ $labels.instance }}) writes VM backups to endpoint {{ ` +
        `$labels.endpoint }}, bucket {{ $labels.bucket }}, and at least one other cluster writes to the same target. ` +
        `Harvester clusters sharing a target see each other's backups and delete or fail them.`,
    },
    {
      name: 'VMZombieVsphereFileScanStale',
      group: 'vsphere',
      severity: 'warning',
      for: '15m',
      expr:
        `max ${by(datastore)} (${sel(c, 'vmzombie_vsphere_datastore_scan_age_seconds')}) > ` +
        `${c.vsphereScanStaleSeconds}`,
      resultLabels: datastore,
      summary:
        'datastore {{ $labels.datastore }} of {{ $labels.vcenter }} was last scanned {{ $value | ' +
        'humanizeDuration }} ago',
      description:
        `The file scan of datastore {{ $labels.datastore }} on vCenter {{ $labels.vcenter }}, run by ` +
        `${WHERE}, last completed {{ $value | humanizeDuration }} ago (threshold ` +
        `${hours(c.vsphereScanStaleSeconds)}). Orphan disks and unregistered VM folders on it are judged on that old ` +
        `listing.`,
    },
  ];
}

/** Every alert, kind alerts first in catalog order, with the site's severity overrides applied. */
export function buildAlerts(config: BundleConfig): AlertDef[] {
  const all = [...FINDING_KINDS.map((k) => kindAlert(config, k)), ...extraAlerts(config), ...fleetAlerts(config)];
  return all.map((a) => ({ ...a, severity: config.severityOverrides[a.name] ?? a.severity }));
}

/** The names of every alert (and so of every runbook); they do not depend on the site's config. */
export const ALERT_NAMES: readonly string[] = buildAlerts(DEFAULT_CONFIG).map((a) => a.name);
