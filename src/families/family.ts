// A source family: everything one system (a libvirt host, a KubeVirt cluster, a vCenter, …) contributes,
// declared once. Every shared list — sources and their flags, snapshot sections, the catalog, facts, metrics,
// dashboards, the alerts that are not a kind, landing-page targets, host names to redact — is derived from
// FAMILIES (./index.ts), so a new family is its own files plus one line there.
import type { ZodType } from 'zod';
import type { KindEntry } from '../catalog/kind-spec.js';
import type { SectionMetricsFactory } from '../outputs/metrics/section-metrics.js';
import type { SourceDefinition } from '../sources/source.js';
import type { SectionName, Sections, Snapshot } from '../snapshot/snapshot.js';
import type { FamilyAlerts } from '../bundle/family-alerts.js';
import type { DashboardDef } from '../bundle/dashboard-def.js';
import type { ResourceKeepRef } from '../keep/resource-marker.js';
import type { FindingOwner } from '../detectors/finding.js';

/** What the resource a finding names carries itself: a keep marker, who owns it. */
export interface ResourceFacts {
  keep: ResourceKeepRef | null;
  owner: FindingOwner | null;
}

/** One snapshot section: its schema (a saved snapshot is validated with it) and what pages read off it. */
export interface SectionSpec<N extends SectionName = SectionName> {
  schema: ZodType<Sections[N]>;
  /** Lines of the landing page's "watching" list, e.g. `vCenter vc1:443`. */
  targets?(section: Sections[N]): string[];
  /** Host names the section carries; a redacted snapshot replaces each with a placeholder. */
  hostNames?(section: Sections[N]): Array<string | null | undefined>;
}

/**
 * A fact a family publishes about its own data, for detectors and metrics to `need`: null when it holds,
 * else why not, in words a person can act on. `arg` is what follows `:` in the need
 * (`kubevirt.synced:pods`).
 */
export type FactCheck = (snapshot: Snapshot, arg: string | undefined) => string | null;

export interface Fact {
  check: FactCheck;
  /**
   * True when a failing fact means the data is incomplete for now (a cache not synced, a scan not
   * finished): the detector's last findings are kept, marked stale. False when it is the host's setup
   * (a remote libvirt, a hidepid /proc): nothing this exporter saw before can be vouched for either.
   */
  transient: boolean;
}

export interface Family<K extends Record<string, KindEntry> = Record<string, KindEntry>> {
  /** Also the prefix of its facts and the folder name of its docs page. */
  name: string;
  title: string;
  /** Its manual, relative to the repository root; the registry test checks it exists. */
  docsPage: string;
  /** Its kinds' scopes, in the order their rule groups and findings-page filters are listed. */
  scopes: readonly string[];
  sections: { readonly [N in SectionName]?: SectionSpec<N> };
  sources: readonly SourceDefinition[];
  kinds: K;
  facts?: Readonly<Record<string, Fact>>;
  /**
   * Whether the resource a finding of this family names (by its labels) is still in the snapshot: for the
   * reclaimed ledger (`gone` or `healthy` when a finding ends). Null when the labels name nothing to look up.
   */
  resourcePresent?(labels: Readonly<Record<string, string | undefined>>, snapshot: Snapshot): boolean | null;
  /**
   * Built once per evaluation: the keep marker and owner of the resource a finding of this family names (by
   * its labels), or null when the labels name nothing this snapshot holds.
   */
  resources?(snapshot: Snapshot): (labels: Readonly<Record<string, string | undefined>>) => ResourceFacts | null;
  metrics: readonly SectionMetricsFactory[];
  /** Alerts that are not a finding kind, their thresholds and their promtool cases. */
  alerts?: FamilyAlerts;
  /** Its Grafana dashboards (built by `npm run generate` only: the dashboard SDK is a dev dependency). */
  dashboards: readonly DashboardDef[];
}

/** Keeps the literal kind keys of a manifest, so the finding kinds stay a precise union. */
export function defineFamily<K extends Record<string, KindEntry>>(family: Family<K>): Family<K> {
  return family;
}
