// Alert definitions → Prometheus rule groups (one per scope, plus the exporter's own), written once
// as plain rule files and once as the `spec` of a prometheus-operator PrometheusRule.
import type { AlertDef, AlertGroup } from './alerts.js';
import type { BundleConfig } from './config.js';
import { SCOPES } from '../families/index.js';

export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** The exporter's own group first, then each family's scopes in family order. */
const GROUP_ORDER: readonly AlertGroup[] = ['exporter', ...SCOPES];

export function runbookUrl(config: BundleConfig, alertName: string, instance?: string): string {
  const url = config.runbookUrlTemplate.replace('%s', alertName);
  return instance === undefined ? url : url.replaceAll('{{ $labels.instance }}', instance);
}

export function toRule(config: BundleConfig, a: AlertDef): Rule {
  return {
    alert: a.name,
    expr: a.expr,
    // A zero `for` is left out: Prometheus' default, and what promtool prints back.
    ...(/^0[smh]?$/.test(a.for) ? {} : { for: a.for }),
    labels: { severity: a.severity, ...config.extraLabels },
    annotations: {
      summary: a.summary,
      description: a.description,
      runbook_url: runbookUrl(config, a.name, a.runbookInstance),
    },
  };
}

/** Groups named `vmzombie-<scope>`, empty scopes left out. */
export function ruleGroups(config: BundleConfig, alerts: readonly AlertDef[]): RuleGroup[] {
  return GROUP_ORDER.map((g) => ({
    name: `vmzombie-${g}`,
    rules: alerts.filter((a) => a.group === g).map((a) => toRule(config, a)),
  })).filter((g) => g.rules.length > 0);
}

export function prometheusRule(groups: RuleGroup[]): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'vmzombie',
      labels: { 'app.kubernetes.io/name': 'vmzombie-exporter', 'app.kubernetes.io/component': 'alert-rules' },
    },
    spec: { groups },
  };
}
