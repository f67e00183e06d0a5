// The metric names the exporter really registers, read from its own prom-client registry with the
// default configuration (not a hand list), plus the series Prometheus itself adds to every target.
import { parseArgs } from '../flags.js';
import { SOURCES } from '../families/index.js';
import { ExporterMetrics } from '../outputs/metrics/exporter-metrics.js';

/** Series a Prometheus server writes for each scrape target. */
export const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'] as const;

export async function registeredMetricNames(): Promise<Set<string>> {
  const { config } = parseArgs(
    ['serve'],
    SOURCES.map((s) => s.name),
  );
  const metrics = new ExporterMetrics(
    config,
    SOURCES.map((s) => s.name),
    { processMetrics: false },
  );
  const names = new Set<string>(SCRAPE_SERIES);
  for (const m of await metrics.registry.getMetricsAsJSON()) names.add(m.name);
  return names;
}
