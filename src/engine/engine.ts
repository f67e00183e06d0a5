// The engine: runs the enabled sources (one shared, bounded collection at a time) and evaluates each
// new snapshot once through the detectors. It returns results; outputs attach to them elsewhere.
import type { Config } from '../config/flags.js';
import { SOURCES } from '../families/index.js';
import type { SourceDefinition, SourceEnv } from '../sources/source.js';
import type { DetectionResult } from '../detectors/finding.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { Logger } from '../util/log.js';
import { Collection, type NamedSource } from './collection.js';
import { CpuBudget, type CpuClock } from './cpu-budget.js';
import { FindingsState } from './findings-state.js';
import { applyResources } from './resources.js';
import { KeepFile } from '../keep/keep-file.js';
import { NO_KEEP, type KeepSet } from '../keep/keep-marker.js';

export function enabledSources(config: Config, sources: readonly SourceDefinition[] = SOURCES): SourceDefinition[] {
  return sources.filter((s) => config.collectors[s.name] ?? s.enabledByDefault(config));
}

export interface Evaluated {
  snapshot: Snapshot;
  detection: DetectionResult;
}

export interface EngineOptions {
  clock?: () => number;
  /** The process's CPU seconds, for the CPU budget (tests). */
  cpu?: CpuClock;
}

/**
 * The node agent's CPU budget, if any. A cluster agent's CPU goes to its watches between collections, which
 * read the caches those keep: holding its collections back would not save what the budget counts. A min-interval
 * of 0 asks for every scrape to collect, and gets that.
 */
export function cpuBudgetOf(
  config: Config,
  cpu?: CpuClock,
  sources: () => readonly NamedSource[] = () => [],
): CpuBudget | undefined {
  if (config.mode !== 'node' || config['collector.cpu-budget'] <= 0 || config['collector.min-interval'] <= 0)
    return undefined;
  // The longer hold only while every source that can hear the changes that end one (libvirt's lifecycle events)
  // hears them.
  const watching = () => {
    const hearing = sources().filter((s) => s.instance.hearsChanges !== undefined);
    return hearing.length > 0 && hearing.every((s) => s.instance.hearsChanges?.() === true);
  };
  return new CpuBudget({
    percentOfOneCore: config['collector.cpu-budget'],
    maxHoldSeconds: config['collector.cpu-budget-max-hold'],
    watching,
    ...(cpu ? { cpu } : {}),
  });
}

export class Engine {
  readonly collection: Collection;
  readonly sourceNames: string[];
  private readonly findings: FindingsState;
  private readonly keepFile: KeepFile | null;
  private evaluated: Evaluated | null = null;
  /** Malformed keep markers already logged: each is logged once, when it appears. */
  private loggedKeepProblems = new Set<string>();
  private readonly listeners: Array<(result: Evaluated) => void> = [];

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    options: EngineOptions = {},
  ) {
    const defs = enabledSources(config);
    // The sources tell the budget of changes they hear; it asks them whether they hear them.
    let named: NamedSource[] = [];
    const budget = cpuBudgetOf(config, options.cpu, () => named);
    const env: SourceEnv = { ...(options.clock ? { clock: options.clock } : {}), changed: () => budget?.changed() };
    named = defs.map((d) => ({ name: d.name, instance: d.create(config, log, env) }));
    this.sourceNames = defs.map((d) => d.name);
    this.collection = new Collection(
      named,
      {
        timeoutSeconds: config['collector.timeout'],
        minIntervalSeconds: config['collector.min-interval'],
        cpuBudget: budget,
        ...(options.clock ? { clock: options.clock } : {}),
      },
      log,
    );
    this.findings = new FindingsState(config);
    this.keepFile = config['keep.file'] ? new KeepFile(config['keep.file']) : null;
  }

  /** Called once per newly evaluated snapshot, before `refresh` resolves. */
  onResult(listener: (result: Evaluated) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Latest snapshot and findings; each snapshot is evaluated once however many scrapes share it.
   * With a budget (seconds), collectors still running by then are served stale.
   */
  async refresh(budgetSeconds?: number, aheadSeconds?: number): Promise<Evaluated> {
    const snapshot = await this.collection.get(budgetSeconds, aheadSeconds);
    if (this.evaluated?.snapshot === snapshot) return this.evaluated;
    const keep = this.keepFile ? await this.keepFile.load() : NO_KEEP;
    if (this.evaluated?.snapshot === snapshot) return this.evaluated;
    const detection = this.findings.evaluate(snapshot);
    detection.keep = applyResources(detection.findings, keep, snapshot);
    this.logKeepProblems(detection.keep.problems);
    this.evaluated = { snapshot, detection };
    for (const l of this.listeners) l(this.evaluated);
    return this.evaluated;
  }

  private logKeepProblems(problems: readonly string[]): void {
    for (const p of problems) if (!this.loggedKeepProblems.has(p)) this.log.warn('keep marker ignored', { problem: p });
    this.loggedKeepProblems = new Set(problems);
  }

  last(): Evaluated | null {
    return this.evaluated;
  }

  close(): Promise<void> {
    return this.collection.close();
  }
}

/** A saved snapshot through detection, as one collection would be (`scan --from`, golden tests). */
export function replay(config: Config, snapshot: Snapshot, keep: KeepSet = NO_KEEP): Evaluated {
  const detection = new FindingsState(config).evaluate(snapshot);
  detection.keep = applyResources(detection.findings, keep, snapshot);
  return { snapshot, detection };
}
