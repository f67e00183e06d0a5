// What the catalog says about one finding kind: the metric labels, alert, runbook, findings page and
// `scan` all read these entries, so they cannot drift apart.
import type { AnyDetector } from '../detectors/detector.js';

export type Severity = 'critical' | 'warning' | 'info';
/** Where a kind is found (`libvirt`, `host`, `kubevirt`, …): one of its family's `scopes`. */
export type Scope = string;
export type ReclaimUnit = 'vcpus' | 'memoryBytes' | 'diskBytes' | 'devices';

/** One catalog entry as written: the kind's detector and what a person reads about it. */
export interface KindEntry {
  detector: AnyDetector;
  /** One line a person reads on the findings page and in the dashboard. */
  title: string;
  /** What the finding means, where, since when and what it holds: the alert description and runbook's lead. */
  description: string;
  /**
   * The runbook's first diagnosis command, read-only. `{{label}}` (or `{{subject}}`) placeholders are
   * filled from the finding, shell-quoted, by `diagnoseCommand`.
   */
  diagnose: string;
  scope: Scope;
  /** What the reclaimable values of this kind measure. */
  reclaims: readonly ReclaimUnit[];
  alert: {
    name: string;
    /** critical only for what must wake someone (a live disk at risk, a GPU blocking placement, a freeze loop). */
    severity: Severity;
    /** Prometheus `for:` on top of the exporter's own grace. */
    for: string;
    summary: string;
    /**
     * A fleet join: stay quiet where another agent's series names the same resource
     * (`unless on (label) max by (from) (metric)`, `from` renamed to `label`).
     */
    unless?: { metric: string; label: string; from: string };
  };
}

/** An entry with what is read off its detector, so consumers need not know where each fact lives. */
export interface KindSpec extends KindEntry {
  /** Label names the per-finding series carries for this kind (besides kind and subject). */
  labels: readonly string[];
  /** The flag holding how long the state must persist before it is reported. */
  graceFlag: string;
}
