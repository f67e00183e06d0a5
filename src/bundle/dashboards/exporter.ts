// Exporter health: collector up, duration and staleness, detectors skipped, dropped findings,
// problems, and how long Prometheus' scrape takes.
import type { BundleConfig } from '../config.js';
import { Dash, dedup, q } from './common.js';

const COLLECTOR = 'cluster, instance, collector';

export function exporterDashboard(c: BundleConfig): object {
  const perKind = (expr: string) => dedup('cluster, instance, kind', expr);
  return new Dash(
    c,
    'vmzombie-exporter',
    'vmzombie / Exporter health',
    'Is every collector reading its source, how long it takes, and what is left out.',
  )
    .row('Collectors')
    .timeseries(
      'Collectors up',
      '1 when the collector read its source; 0 on error or timeout, and for sources absent on the host.',
      [{ expr: dedup(COLLECTOR, q(c, 'vmzombie_collector_up')), legend: '{{instance}} {{collector}}' }],
      'short',
      8,
    )
    .timeseries(
      'Collector duration',
      'Time each collector took in the last collection.',
      [{ expr: dedup(COLLECTOR, q(c, 'vmzombie_collector_duration_seconds')), legend: '{{instance}} {{collector}}' }],
      's',
      8,
    )
    .timeseries(
      'Since last success',
      'Age of the data each collector serves.',
      [
        {
          expr: `time() - ${dedup(COLLECTOR, q(c, 'vmzombie_collector_last_success_timestamp_seconds'))}`,
          legend: '{{instance}} {{collector}}',
        },
      ],
      's',
      8,
    )
    .table(
      'Collector states',
      'The state set of every collector: ok, absent, error, timeout.',
      [{ expr: `${dedup('cluster, instance, collector, state', q(c, 'vmzombie_collector_state'))} == 1` }],
      'short',
      {},
      12,
      7,
    )
    .timeseries(
      'Problems',
      'Records a collector could not read or parse (details on the landing page).',
      [{ expr: dedup(COLLECTOR, q(c, 'vmzombie_collector_problems')), legend: '{{instance}} {{collector}}' }],
      'short',
      12,
      7,
    )
    .row('Detectors and series')
    .timeseries(
      'Detectors skipped',
      'Detectors that did not run on fresh data, per exporter.',
      [
        {
          expr: `sum by (cluster, instance) (${perKind(q(c, 'vmzombie_detector_up'))} == bool 0)`,
          legend: '{{instance}}',
        },
      ],
      'short',
      8,
    )
    .timeseries(
      'Dropped findings',
      'Per-finding series left out by --findings.max-per-kind.',
      [
        {
          expr: `sum by (kind) (${perKind(`increase(${q(c, 'vmzombie_findings_dropped_total')}[$__rate_interval])`)})`,
          legend: '{{kind}}',
        },
      ],
      'short',
      8,
    )
    .timeseries(
      'Scrape duration',
      'How long Prometheus took to scrape each exporter.',
      [{ expr: dedup('cluster, instance', q(c, 'scrape_duration_seconds')), legend: '{{instance}}' }],
      's',
      8,
    )
    .table(
      'Build',
      'Exporter versions.',
      [{ expr: `max without (job) (${q(c, 'vmzombie_build_info')})` }],
      'short',
      {},
      24,
      5,
    )
    .build();
}
