// The shape of one alert of the bundle, shared by the kind alerts, the exporter's own and each family's.
// Pure types and strings: family alert modules import this, never `alerts.ts` (which reads the catalog).
import type { Severity } from '../catalog/kind-spec.js';
import type { FindingKind } from '../detectors/finding.js';

/** A rule group: `exporter`, or a scope of the catalog (`libvirt`, `kubevirt`, …). */
export type AlertGroup = string;

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

/** Where an alert fired, for descriptions: the exporter and, on a multi-cluster querier, its cluster. */
export const WHERE = '{{ $labels.instance }}{{ with $labels.cluster }} (cluster {{ . }}){{ end }}';

export const hours = (seconds: number): string => `${seconds / 3600}h`;
