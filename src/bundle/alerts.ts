// Every alert of the bundle: one per finding kind (from the catalog), the exporter's own, and each
// family's alerts on its own series. Pure data and query strings; `rules.ts` turns them into rule
// groups. Every alert keeps `instance` (the default runbook link points at the exporter that fired it)
// and `cluster`, and takes `max` over the jobs that may scrape one exporter twice.
import { CATALOG, FINDING_KINDS } from '../catalog/catalog.js';
import type { KindEntry } from '../catalog/kind-spec.js';
import type { FindingKind } from '../detectors/finding.js';
import { FAMILIES } from '../families/index.js';
import { WHERE, type AlertDef } from './alert-def.js';
import { DEFAULT_CONFIG, type BundleConfig } from './config.js';
import { by, sel } from './query.js';
import { fleetAlerts, kindFleetGuard } from './fleet-alerts.js';

export type { AlertDef, AlertGroup } from './alert-def.js';

/** What identifies one finding across the agent's series: where, which kind, which subject. */
const ACK_KEY = ['cluster', 'instance', 'kind', 'subject'];

/**
 * The labels of a kind's alert: where it was found, the kind, the subject, the catalog's labels and the
 * resource's owner where its layer records one (so Alertmanager can route by team).
 */
export function kindResultLabels(kind: FindingKind): string[] {
  return [...new Set(['cluster', 'instance', 'kind', 'subject', ...CATALOG[kind].labels, 'owner'])];
}

function kindAlert(config: BundleConfig, kind: FindingKind): AlertDef {
  const spec = CATALOG[kind];
  const labels = kindResultLabels(kind);
  const findings = `max ${by(labels)} (${sel(config, 'vmzombie_finding_age_seconds', { kind })})`;
  const u = (spec.alert as KindEntry['alert']).unless;
  return {
    name: spec.alert.name,
    group: spec.scope,
    severity: spec.alert.severity,
    for: spec.alert.for,
    // A finding a keep marker acknowledges pages no one; when the marker expires its series goes and it fires.
    // A kind may name series elsewhere in the fleet that clear it (an FCD a cluster's PV names), and the
    // autostart alert is silent while the uuid runs on another host (fleet-alerts.ts).
    expr: kindFleetGuard(
      config,
      kind,
      `${findings}
` +
        `unless on (${ACK_KEY.join(', ')})
` +
        `max ${by(ACK_KEY)} (${sel(config, 'vmzombie_finding_acknowledged', { kind })})` +
        (u
          ? `
unless on (${u.label})
` + `label_replace(max ${by([u.from])} (${sel(config, u.metric)}), "${u.label}", "$1", "${u.from}", "(.*)")`
          : ''),
    ),
    resultLabels: labels,
    summary: spec.alert.summary,
    description: `{{ $labels.subject }} on ${WHERE}, seen for {{ $value | humanizeDuration }}. ${spec.description}`,
    kind,
  };
}

/** The exporter's own alerts: scrape failures, collectors down or stale, dropped series. */
function exporterAlerts(c: BundleConfig): AlertDef[] {
  const at = ['cluster', 'instance'];
  const collector = [...at, 'collector'];
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
  ];
}

/** Every alert, kind alerts first in catalog order, with the site's severity overrides applied. */
export function buildAlerts(config: BundleConfig): AlertDef[] {
  const all = [
    ...FINDING_KINDS.map((k) => kindAlert(config, k)),
    ...exporterAlerts(config),
    ...FAMILIES.flatMap((f) => f.alerts?.build(config) ?? []),
    ...fleetAlerts(config),
  ];
  return all.map((a) => ({ ...a, severity: config.severityOverrides[a.name] ?? a.severity }));
}

/** The names of every alert (and so of every runbook); they do not depend on the site's config. */
export const ALERT_NAMES: readonly string[] = buildAlerts(DEFAULT_CONFIG).map((a) => a.name);
