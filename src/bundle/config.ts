// Site knobs of the bundle in one object (like kubernetes-mixin's config.libsonnet): the job
// selector every query carries, the runbook URL template, severity overrides, extra labels and the
// thresholds of the alerts that are not a finding kind. `npm run generate` writes the defaults.
import type { Severity } from '../catalog/kind-spec.js';
import { FAMILIES } from '../families/index.js';

/** The site knobs every bundle has. */
export interface CoreBundleConfig {
  /** Label matchers that select this exporter's scrape jobs, added to every selector. */
  selector: string;
  /** Where `runbook_url` points: exactly one `%s`, replaced by the alert name. */
  runbookUrlTemplate: string;
  /** Alert name → severity, for sites that page on something the catalog rates lower (or higher). */
  severityOverrides: Readonly<Record<string, Severity>>;
  /** Labels added to every alert (e.g. a team or a routing key). */
  extraLabels: Readonly<Record<string, string>>;
  /** A collector whose last success is older than this (seconds) is stale. */
  collectorStaleSeconds: number;
  /**
   * `for` of VMZombieDomainRunningOnSeveralHosts: how long one uuid may look active on two hosts. Copies
   * paused for a migration never count; this covers the switchover, when the source's last scrape still
   * says running while the destination's says running too (about one scrape interval).
   */
  severalHostsFor: string;
  /** `for` of VMZombieDomainStaleDefinition (covers a migration's undefine of the source, and a person's). */
  staleDefinitionFor: string;
  /** `for` of VMZombieSharedImageOrphan, on top of --detect.orphan-min-age. */
  sharedImageOrphanFor: string;
}

/**
 * Thresholds of the families' own alerts: each family's alert module adds its fields here
 * (`declare module '../config.js'`) and its defaults to `FamilyAlerts.defaults`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FamilyThresholds {}

export type BundleConfig = CoreBundleConfig & FamilyThresholds;

const CORE_DEFAULTS: CoreBundleConfig = {
  selector: 'job=~"vmzombie.*"',
  runbookUrlTemplate: 'http://{{ $labels.instance }}/runbooks/%s',
  severityOverrides: {},
  extraLabels: {},
  collectorStaleSeconds: 15 * 60,
  severalHostsFor: '3m',
  staleDefinitionFor: '15m',
  sharedImageOrphanFor: '1h',
};

export const DEFAULT_CONFIG: BundleConfig = Object.assign(
  { ...CORE_DEFAULTS },
  ...FAMILIES.map((f) => f.alerts?.defaults ?? {}),
) as BundleConfig;

/** Throws on a config the generated rules could not honour (checked before anything is written). */
export function validateConfig(config: BundleConfig): BundleConfig {
  const slots = config.runbookUrlTemplate.split('%s').length - 1;
  if (slots !== 1) {
    throw new Error(`runbookUrlTemplate needs exactly one %s, found ${slots}: ${config.runbookUrlTemplate}`);
  }
  if (!/^\s*[a-zA-Z_]\w*\s*(=|!=|=~|!~)\s*"/.test(config.selector)) {
    throw new Error(`selector must be label matchers such as job="vmzombie", got: ${config.selector}`);
  }
  for (const [name, value] of Object.entries(config.extraLabels)) {
    if (!/^[a-zA-Z_]\w*$/.test(name)) throw new Error(`extraLabels: "${name}" is not a label name`);
    if (['severity', 'alertname'].includes(name)) {
      throw new Error(`extraLabels: "${name}" is set by the rules themselves`);
    }
    if (typeof value !== 'string') throw new Error(`extraLabels: "${name}" must be a string`);
  }
  for (const k of ['severalHostsFor', 'staleDefinitionFor', 'sharedImageOrphanFor'] as const) {
    if (!/^\d+[smh]$/.test(config[k])) throw new Error(`${k} must be a duration such as 3m, got: ${config[k]}`);
  }
  return config;
}
