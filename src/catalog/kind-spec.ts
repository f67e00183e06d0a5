// What the catalog says about one finding kind. Alert rules, runbooks and dashboard panels are
// generated from or checked against these entries, so they cannot drift apart.
import type { FlagName } from '../config/flags.js';

export type Severity = 'critical' | 'warning' | 'info';
export type Scope = 'libvirt' | 'host' | 'kubevirt' | 'vsphere' | 'hyperv';
export type ReclaimUnit = 'vcpus' | 'memoryBytes' | 'diskBytes' | 'devices';

export interface KindSpec {
  /** One line a person reads on the findings page and in the dashboard. */
  title: string;
  scope: Scope;
  /** Label names the per-finding series carries for this kind (besides kind and subject). */
  labels: readonly string[];
  /** What the reclaimable values of this kind measure. */
  reclaims: readonly ReclaimUnit[];
  /** The flag holding how long the state must persist before it is reported. */
  graceFlag: FlagName;
  alert: {
    name: string;
    severity: Severity;
    /** Prometheus `for:` on top of the exporter's own grace. */
    for: string;
    summary: string;
  };
}
