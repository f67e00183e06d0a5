// promtool unit tests: one generated per finding kind (silent one interval before `for`, firing at
// `for` with the exact labels and annotations, silent once the series is stale; every series
// scraped twice, by two jobs), and the hand-written cases of `promtool-cases.ts`.
import { parseDuration } from '../config/duration.js';
import { CATALOG, FINDING_KINDS } from '../catalog/catalog.js';
import type { AlertDef } from './alerts.js';
import { kindResultLabels } from './alerts.js';
import type { BundleConfig } from './config.js';
import { runbookUrl } from './rules.js';
import { renderTemplate } from './template.js';

export interface SeriesInput {
  metric: string;
  labels: Readonly<Record<string, string>>;
  values: string;
}
export interface Firing {
  labels: Readonly<Record<string, string>>;
  value: number;
  /** What the queries of a fleet alert's templates return: the instances they name, sorted. */
  instances?: readonly string[];
}
export interface AlertCase {
  atMinutes: number;
  firing: readonly Firing[];
}
export interface PromtoolTest {
  name: string;
  alert: string;
  series: readonly SeriesInput[];
  cases: readonly AlertCase[];
}

export const TEST_JOB = 'vmzombie';
export const TEST_COPY_JOB = 'vmzombie-node';
export const TEST_INSTANCE = 'exporter-a:9955';
export const TEST_CLUSTER = 'example';

export function seriesText(metric: string, labels: Readonly<Record<string, string>>): string {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${metric}{${inner}}`;
}

/** The series of one finding of `kind`, and the labels its alert carries. */
export function exampleFinding(kind: keyof typeof CATALOG): Record<string, string> {
  const labels: Record<string, string> = {
    cluster: TEST_CLUSTER,
    instance: TEST_INSTANCE,
    kind,
    subject: `example ${kind}`,
  };
  for (const l of CATALOG[kind].labels) labels[l] = `example-${l}`;
  return labels;
}

export function kindTests(): PromtoolTest[] {
  return FINDING_KINDS.map((kind) => {
    const forMin = parseDuration(CATALOG[kind].alert.for) / 60;
    const labels = exampleFinding(kind);
    const values = `0+60x${forMin} stale`;
    return {
      name: `${kind}: silent before for, firing at for, silent when stale`,
      alert: CATALOG[kind].alert.name,
      series: [TEST_JOB, TEST_COPY_JOB].map((job) => ({
        metric: 'vmzombie_finding_age_seconds',
        labels: { job, ...labels },
        values,
      })),
      cases: [
        { atMinutes: forMin - 1, firing: [] },
        { atMinutes: forMin, firing: [{ labels: pick(labels, kindResultLabels(kind)), value: forMin * 60 }] },
        { atMinutes: forMin + 2, firing: [] },
      ],
    };
  });
}

function pick(labels: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.filter((n) => labels[n] !== undefined && labels[n] !== '').map((n) => [n, labels[n] as string]),
  );
}

/** A promtool test file for `rule_files` relative to the test file. */
export function testFile(
  config: BundleConfig,
  alerts: readonly AlertDef[],
  ruleFile: string,
  tests: readonly PromtoolTest[],
): object {
  const byName = new Map(alerts.map((a) => [a.name, a]));
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: tests.map((t) => {
      const alert = byName.get(t.alert);
      if (!alert) throw new Error(`promtool test "${t.name}" names unknown alert ${t.alert}`);
      return {
        name: t.name,
        interval: '1m',
        input_series: t.series.map((s) => ({ series: seriesText(s.metric, s.labels), values: s.values })),
        alert_rule_test: t.cases.map((c) => ({
          eval_time: `${c.atMinutes}m`,
          alertname: t.alert,
          exp_alerts: c.firing.map((f) => ({
            exp_labels: { ...pick(f.labels, alert.resultLabels), severity: alert.severity, ...config.extraLabels },
            exp_annotations: {
              summary: renderTemplate(alert.summary, f.labels, f.value, f.instances),
              description: renderTemplate(alert.description, f.labels, f.value, f.instances),
              runbook_url: renderTemplate(
                runbookUrl(config, alert.name, alert.runbookInstance),
                f.labels,
                f.value,
                f.instances,
              ),
            },
          })),
        })),
      };
    }),
  };
}
