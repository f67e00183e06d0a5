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
import { TEST_CLUSTER, TEST_COPY_JOB, TEST_INSTANCE, TEST_JOB, type PromtoolTest } from './promtool-series.js';

export type { AlertCase, Firing, PromtoolTest, SeriesInput } from './promtool-series.js';
export { TEST_CLUSTER, TEST_COPY_JOB, TEST_INSTANCE, TEST_JOB } from './promtool-series.js';

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
  // Every finding series may carry its resource's owner, and the alert keeps it.
  labels.owner = 'example-owner';
  return labels;
}

export function kindTests(): PromtoolTest[] {
  return FINDING_KINDS.map((kind) => {
    const forMin = parseDuration(CATALOG[kind].alert.for) / 60;
    const labels = exampleFinding(kind);
    // Healthy look-alikes: one acknowledged by a keep marker throughout, which never fires; one whose
    // marker expires at 3m, which fires `for` after that.
    const kept = { ...labels, subject: `kept ${kind}` };
    const expired = { ...labels, subject: `expired ${kind}` };
    const both = (metric: string, l: Record<string, string>, values: string) =>
      [TEST_JOB, TEST_COPY_JOB].map((job) => ({ metric, labels: { job, ...l }, values }));
    const ackOf = (l: Record<string, string>) => ({
      cluster: l.cluster!,
      instance: l.instance!,
      kind,
      subject: l.subject!,
    });
    const long = `0+60x${forMin + 10}`;
    return {
      name: `${kind}: silent before for, firing at for, silent when stale or acknowledged, firing once unmarked`,
      alert: CATALOG[kind].alert.name,
      series: [
        ...both('vmzombie_finding_age_seconds', labels, `0+60x${forMin} stale`),
        ...both('vmzombie_finding_age_seconds', kept, long),
        ...both('vmzombie_finding_acknowledged', ackOf(kept), `1x${forMin + 10}`),
        ...both('vmzombie_finding_age_seconds', expired, long),
        ...both('vmzombie_finding_acknowledged', ackOf(expired), '1x2 stale'),
      ],
      cases: [
        { atMinutes: forMin - 1, firing: [] },
        { atMinutes: forMin, firing: [{ labels: pick(labels, kindResultLabels(kind)), value: forMin * 60 }] },
        {
          atMinutes: forMin + 3,
          firing: [{ labels: pick(expired, kindResultLabels(kind)), value: (forMin + 3) * 60 }],
        },
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
