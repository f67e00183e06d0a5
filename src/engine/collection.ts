// Runs every enabled source in parallel, each under its own timeout, into one snapshot. Concurrent
// callers share the collection in flight; a result younger than min-interval is served as it is.
// A failed or timed-out source is marked down with its reason and its last good section is kept,
// marked stale.
import os from 'node:os';
import type { CollectorStatus, SectionName, Sections, Snapshot } from '../snapshot/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../snapshot/snapshot.js';
import type { SourceInstance } from '../sources/source.js';
import { isSourceAbsentError } from '../sources/source-absent-error.js';
import { describeError } from '../util/fs-errors.js';
import type { Logger } from '../util/log.js';

export interface NamedSource { name: SectionName; instance: SourceInstance }

export interface CollectionOptions {
  timeoutSeconds: number;
  minIntervalSeconds: number;
  /** Injected clock (Unix seconds with fractions), so tests can move time. */
  clock?: () => number;
}

class CollectorTimeoutError extends Error {
  override readonly name = 'CollectorTimeoutError';
}

export class Collection {
  private inFlight: Promise<Snapshot> | null = null;
  private latest: Snapshot | null = null;
  private readonly lastGood = new Map<SectionName, { data: unknown; at: number }>();
  private readonly lastState = new Map<SectionName, string>();
  private readonly clock: () => number;

  constructor(private readonly sources: readonly NamedSource[], private readonly opts: CollectionOptions, private readonly log: Logger) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  /** The latest snapshot, collecting anew only when the cached one is older than min-interval. */
  get(): Promise<Snapshot> {
    if (this.latest && this.clock() - this.latest.takenAt < this.opts.minIntervalSeconds) return Promise.resolve(this.latest);
    this.inFlight ??= this.collect().finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  /** The last completed snapshot, without collecting. */
  peek(): Snapshot | null {
    return this.latest;
  }

  private async collect(): Promise<Snapshot> {
    const takenAt = this.clock();
    const snapshot: Snapshot = { schemaVersion: SNAPSHOT_SCHEMA_VERSION, hostname: os.hostname(), takenAt, collectors: {} };
    const sections = snapshot as Partial<Sections>;
    await Promise.all(this.sources.map(async ({ name, instance }) => {
      const started = this.clock();
      const status: CollectorStatus = { state: 'ok', reason: null, durationSeconds: 0, lastSuccessSeconds: null, stale: false };
      try {
        const data = await this.runWithTimeout(instance);
        (sections as Record<string, unknown>)[name] = data;
        this.lastGood.set(name, { data, at: takenAt });
        status.lastSuccessSeconds = takenAt;
      } catch (e: unknown) {
        status.state = isSourceAbsentError(e) ? 'absent' : e instanceof CollectorTimeoutError ? 'timeout' : 'error';
        status.reason = describeError(e);
        const good = this.lastGood.get(name);
        if (good) {
          (sections as Record<string, unknown>)[name] = good.data;
          status.lastSuccessSeconds = good.at;
          status.stale = true;
        }
      }
      status.durationSeconds = this.clock() - started;
      snapshot.collectors[name] = status;
      this.logTransition(name, status);
    }));
    this.latest = snapshot;
    return snapshot;
  }

  private async runWithTimeout(instance: SourceInstance): Promise<unknown> {
    const controller = new AbortController();
    const ms = this.opts.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new CollectorTimeoutError(`timed out after ${this.opts.timeoutSeconds}s`);
        // Abort first so the source kills its child processes, then give up waiting for it.
        controller.abort(err);
        reject(err);
      }, ms);
    });
    try {
      return await Promise.race([instance.collect({ signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Logs when a collector changes state, not on every collection (an absent libvirt is not news). */
  private logTransition(name: SectionName, status: CollectorStatus): void {
    const key = `${status.state}:${status.reason ?? ''}`;
    if (this.lastState.get(name) === key) return;
    this.lastState.set(name, key);
    if (status.state === 'ok') this.log.info('collector up', { collector: name });
    else if (status.state === 'absent') this.log.info('collector has nothing to read on this host', { collector: name, reason: status.reason });
    else this.log.warn('collector down', { collector: name, state: status.state, reason: status.reason });
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.instance.close().catch(() => {})));
  }
}
