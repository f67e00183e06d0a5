// Wires sources → collection → detectors → findings state → metrics, for the server and the CLI.
import type { Config } from '../config/flags.js';
import { SOURCES } from '../sources/index.js';
import type { SourceDefinition } from '../sources/source.js';
import { DETECTORS } from '../detectors/index.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { Logger } from '../util/log.js';
import { Collection, type NamedSource } from './collection.js';
import { FindingsState, type DetectionResult } from './findings-state.js';
import { ExporterMetrics } from '../outputs/metrics/exporter-metrics.js';

export function enabledSources(config: Config, sources: readonly SourceDefinition[] = SOURCES): SourceDefinition[] {
  return sources.filter((s) => config.collectors[s.name] ?? s.enabledByDefault(config));
}

export interface Evaluated { snapshot: Snapshot; detection: DetectionResult }

export class Exporter {
  readonly collection: Collection;
  readonly metrics: ExporterMetrics;
  readonly sourceNames: string[];
  private readonly findings: FindingsState;
  private evaluated: Evaluated | null = null;

  constructor(readonly config: Config, log: Logger, options: { clock?: () => number; processMetrics?: boolean } = {}) {
    const defs = enabledSources(config);
    const env = options.clock ? { clock: options.clock } : {};
    const named: NamedSource[] = defs.map((d) => ({ name: d.name, instance: d.create(config, log, env) }));
    this.sourceNames = defs.map((d) => d.name);
    this.collection = new Collection(named, {
      timeoutSeconds: config['collector.timeout'],
      minIntervalSeconds: config['collector.min-interval'],
      ...(options.clock ? { clock: options.clock } : {}),
    }, log);
    this.findings = new FindingsState(DETECTORS, config);
    this.metrics = new ExporterMetrics(config, this.sourceNames, { processMetrics: options.processMetrics ?? true });
  }

  /** Latest snapshot and findings; each snapshot is evaluated once however many scrapes share it. */
  async refresh(): Promise<Evaluated> {
    const snapshot = await this.collection.get();
    if (this.evaluated?.snapshot === snapshot) return this.evaluated;
    const detection = this.findings.evaluate(snapshot);
    this.metrics.update(snapshot, detection);
    this.evaluated = { snapshot, detection };
    return this.evaluated;
  }

  last(): Evaluated | null {
    return this.evaluated;
  }

  close(): Promise<void> {
    return this.collection.close();
  }
}
