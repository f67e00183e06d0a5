// Runs every enabled source in parallel, each under its own timeout, into one snapshot. Concurrent
// callers share the collection in flight; a result younger than min-interval is served as it is, and so is
// one a CPU budget still holds (cpu-budget.ts).
// A failed or timed-out source is marked down with its reason and its last good section is kept,
// marked stale. A caller with a budget (a scrape) is answered when it runs out, whatever is still
// running: those sources are served from their last good data, marked stale, and keep running.
import os from 'node:os';
import type { CollectorStatus, SectionName, Sections, Snapshot } from '../snapshot/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../snapshot/snapshot.js';
import type { SourceInstance } from '../sources/source.js';
import { isSourceAbsentError } from '../sources/source-absent-error.js';
import { SharedWork } from '../sources/shared-work.js';
import { describeError } from '../util/fs-errors.js';
import type { Logger } from '../util/log.js';
import type { CpuBudget } from './cpu-budget.js';

export interface NamedSource {
  name: SectionName;
  instance: SourceInstance;
}

/** Calls `fn` after `seconds`; the returned function cancels it. */
export type Timer = (seconds: number, fn: () => void) => () => void;

export interface CollectionOptions {
  timeoutSeconds: number;
  minIntervalSeconds: number;
  /** Paces collections to a share of one core (a node agent); none: every scrape past min-interval collects. */
  cpuBudget?: CpuBudget | undefined;
  /** Injected clock (Unix seconds with fractions), so tests can move time. */
  clock?: () => number;
  /** Injected timer for timeouts and budgets, so tests can fire them without waiting. */
  timer?: Timer;
}

class CollectorTimeoutError extends Error {
  override readonly name = 'CollectorTimeoutError';
}

const realTimer: Timer = (seconds, fn) => {
  const t = setTimeout(fn, seconds * 1000);
  return () => clearTimeout(t);
};

/** One collection in flight: what each source has returned so far, and when each started. */
interface Run {
  takenAt: number;
  done: Map<SectionName, { status: CollectorStatus; data: unknown }>;
  promise: Promise<Snapshot>;
  settled: boolean;
  /** The partial snapshot last handed out, reused while no further source has finished. */
  partial: { done: number; snapshot: Snapshot } | null;
}

/** The CPU budget as the landing page shows it. */
export interface Pacing {
  percentOfOneCore: number;
  /** How much longer the last result is held, seconds (0: the next scrape collects). */
  heldForSeconds: number;
  maxHoldSeconds: number;
  /** Whether changes that end a hold are heard (the longer hold applies). */
  hearingChanges: boolean;
}

export class Collection {
  private run: Run | null = null;
  private latest: Snapshot | null = null;
  private readonly lastGood = new Map<SectionName, { data: unknown; at: number }>();
  private readonly lastState = new Map<SectionName, string>();
  /** What the sources' shared work keeps from one collection to the next (SharedWork.kept). */
  private readonly sharedKept = new Map<string, unknown>();
  private readonly clock: () => number;
  private readonly timer: Timer;

  constructor(
    private readonly sources: readonly NamedSource[],
    private readonly opts: CollectionOptions,
    private readonly log: Logger,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.timer = opts.timer ?? realTimer;
  }

  /**
   * The latest snapshot, collecting anew only when the cached one is older than min-interval and not held by the
   * CPU budget (or will be, `aheadSeconds` from now: the prefetch asks for what a scrape expected then will be
   * served).
   * With a budget (seconds) it resolves by then at the latest:
   * sources still running are served from their last good data, marked stale.
   */
  get(budgetSeconds?: number, aheadSeconds = 0): Promise<Snapshot> {
    if (this.latest) {
      const age = this.clock() + aheadSeconds - this.latest.takenAt;
      const fresh = age < this.opts.minIntervalSeconds || this.opts.cpuBudget?.holds(age) === true;
      if (fresh) return Promise.resolve(this.latest);
    }
    this.run ??= this.start();
    const run = this.run;
    if (budgetSeconds === undefined || !Number.isFinite(budgetSeconds)) return run.promise;
    return new Promise<Snapshot>((resolve, reject) => {
      const cancel = this.timer(budgetSeconds, () => {
        if (!run.settled) resolve(this.partial(run, budgetSeconds));
      });
      run.promise.then(
        (s) => {
          cancel();
          resolve(s);
        },
        (e: unknown) => {
          cancel();
          reject(e);
        },
      );
    });
  }

  /** The CPU budget's share and how much longer it holds the last result, seconds; null without a budget. */
  pacing(): Pacing | null {
    const budget = this.opts.cpuBudget;
    if (!budget || !this.latest) return null;
    return {
      percentOfOneCore: budget.percentOfOneCore,
      heldForSeconds: budget.remainingSeconds(this.clock() - this.latest.takenAt),
      maxHoldSeconds: budget.maxHoldSeconds(),
      hearingChanges: budget.hearingChanges(),
    };
  }

  /** The last completed snapshot, without collecting. */
  peek(): Snapshot | null {
    return this.latest;
  }

  private start(): Run {
    const takenAt = this.clock();
    this.opts.cpuBudget?.started();
    const run: Run = {
      takenAt,
      done: new Map(),
      promise: Promise.resolve(null as never),
      settled: false,
      partial: null,
    };
    run.promise = this.collect(run).finally(() => {
      run.settled = true;
      if (this.run === run) this.run = null;
    });
    return run;
  }

  private async collect(run: Run): Promise<Snapshot> {
    const shared = new SharedWork(this.sharedKept);
    await Promise.all(
      this.sources.map(async ({ name, instance }) => {
        const started = this.clock();
        const status: CollectorStatus = {
          state: 'ok',
          reason: null,
          durationSeconds: 0,
          lastSuccessSeconds: null,
          stale: false,
        };
        let data: unknown;
        try {
          data = await this.runWithTimeout(instance, shared);
          this.lastGood.set(name, { data, at: run.takenAt });
          status.lastSuccessSeconds = run.takenAt;
        } catch (e: unknown) {
          status.state = isSourceAbsentError(e) ? 'absent' : e instanceof CollectorTimeoutError ? 'timeout' : 'error';
          status.reason = describeError(e);
          const good = this.lastGood.get(name);
          if (good) {
            data = good.data;
            status.lastSuccessSeconds = good.at;
            status.stale = true;
          }
        }
        status.durationSeconds = this.clock() - started;
        run.done.set(name, { status, data });
        this.logTransition(name, status);
      }),
    );
    const snapshot = this.assemble(run, () => {
      throw new Error('unreachable: every source has finished');
    });
    this.latest = snapshot;
    return snapshot;
  }

  /** This run so far: finished sources as they are, the others from their last good data, stale. */
  private partial(run: Run, budgetSeconds: number): Snapshot {
    if (run.partial?.done === run.done.size) return run.partial.snapshot;
    const now = this.clock();
    const snapshot = this.assemble(run, (name) => {
      const good = this.lastGood.get(name);
      const status: CollectorStatus = {
        state: 'timeout',
        reason:
          `still running after the scrape budget of ${round(budgetSeconds)}s; ` +
          (good ? 'its last good data is served' : 'no data yet'),
        durationSeconds: now - run.takenAt,
        lastSuccessSeconds: good?.at ?? null,
        stale: good !== undefined,
      };
      return { status, data: good?.data };
    });
    run.partial = { done: run.done.size, snapshot };
    return snapshot;
  }

  private assemble(run: Run, pending: (name: SectionName) => { status: CollectorStatus; data: unknown }): Snapshot {
    const snapshot: Snapshot = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      hostname: os.hostname(),
      takenAt: run.takenAt,
      collectors: {},
    };
    const sections = snapshot as Partial<Sections> as Record<string, unknown>;
    for (const { name } of this.sources) {
      const { status, data } = run.done.get(name) ?? pending(name);
      if (data !== undefined) sections[name] = data;
      snapshot.collectors[name] = status;
    }
    return snapshot;
  }

  private async runWithTimeout(instance: SourceInstance, shared: SharedWork): Promise<unknown> {
    const controller = new AbortController();
    let cancel = () => {};
    const timeout = new Promise<never>((_, reject) => {
      cancel = this.timer(this.opts.timeoutSeconds, () => {
        const err = new CollectorTimeoutError(`timed out after ${this.opts.timeoutSeconds}s`);
        // Abort first so the source kills its child processes, then give up waiting for it.
        controller.abort(err);
        reject(err);
      });
    });
    try {
      return await Promise.race([instance.collect({ signal: controller.signal, shared }), timeout]);
    } finally {
      cancel();
    }
  }

  /** Logs when a collector changes state, not on every collection (an absent libvirt is not news). */
  private logTransition(name: SectionName, status: CollectorStatus): void {
    const key = `${status.state}:${status.reason ?? ''}`;
    if (this.lastState.get(name) === key) return;
    this.lastState.set(name, key);
    if (status.state === 'ok') this.log.info('collector up', { collector: name });
    else if (status.state === 'absent') {
      this.log.info('collector has nothing to read on this host', { collector: name, reason: status.reason });
    } else this.log.warn('collector down', { collector: name, state: status.state, reason: status.reason });
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.instance.close().catch(() => {})));
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
