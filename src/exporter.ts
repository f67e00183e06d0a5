// The composition root `serve`, `scan` and `snapshot` share: the engine, with the metrics output
// attached to every new result. Nothing below it imports an output.
import type { Config } from './config/flags.js';
import { Engine, type EngineOptions, type Evaluated } from './engine/engine.js';
import { Prefetch } from './engine/prefetch.js';
import { ExporterMetrics } from './outputs/metrics/exporter-metrics.js';
import type { Logger } from './util/log.js';

export type { Evaluated } from './engine/engine.js';

export class Exporter {
  readonly engine: Engine;
  readonly metrics: ExporterMetrics;
  private readonly prefetch: Prefetch | null;

  constructor(
    readonly config: Config,
    log: Logger,
    options: EngineOptions & { processMetrics?: boolean } = {},
  ) {
    this.engine = new Engine(config, log, options);
    this.metrics = new ExporterMetrics(config, this.engine.sourceNames, {
      processMetrics: options.processMetrics ?? true,
    });
    this.engine.onResult(({ snapshot, detection }) => this.metrics.update(snapshot, detection));
    this.prefetch = config['collector.prefetch']
      ? new Prefetch(
          async (aheadSeconds) => {
            await this.refresh(undefined, aheadSeconds);
            // Renders and compresses now, so the scrape only writes the bytes.
            await (await this.metrics.encoded()).gzipped();
          },
          {
            minIntervalSeconds: config['collector.min-interval'],
            // A cluster agent's collection at thousands of VMs is what a scrape would wait for; a node agent's
            // is small beside the idle CPU a host budget counts, so it does not warm up.
            warmUp: config.mode === 'cluster',
            log,
            ...(options.clock ? { clock: options.clock } : {}),
          },
        )
      : null;
  }

  /** A /metrics scrape arrived (the prefetch learns the scraper's interval from these). */
  scraped(): void {
    this.prefetch?.scraped();
  }

  get sourceNames(): string[] {
    return this.engine.sourceNames;
  }

  get collection(): Engine['collection'] {
    return this.engine.collection;
  }

  refresh(budgetSeconds?: number, aheadSeconds?: number): Promise<Evaluated> {
    return this.engine.refresh(budgetSeconds, aheadSeconds);
  }

  last(): Evaluated | null {
    return this.engine.last();
  }

  close(): Promise<void> {
    this.prefetch?.close();
    return this.engine.close();
  }
}

/** Collects once with every enabled source and returns the result (`scan`, `snapshot`). */
export async function collectOnce(config: Config, log: Logger): Promise<Evaluated> {
  const engine = new Engine(config, log);
  try {
    return await engine.refresh();
  } finally {
    await engine.close();
  }
}
