// Prepares a steady scraper's next result before it asks. Prometheus scrapes a target at a fixed interval, so
// after two scrapes the next one is expected one interval later: a collection started shortly before then is
// younger than --collector.min-interval when the scrape arrives, which is answered from it without waiting for a
// collection, detection and the per-object series. The work per interval is unchanged (one collection per scrape);
// only its latency leaves the scrape. A scraper that is not steady (two Prometheus servers, a person with curl)
// gets what it got before: a scrape collects when the last result is older than min-interval.
//
// Warm-up (cluster mode): before a scraper's second scrape its interval is not known, so that scrape would
// collect itself, and a cluster agent's first collections after its initial lists are its slowest. From the
// first scrape until the second (at most WARM_UP_SECONDS) the prefetch keeps a result younger than
// min-interval, refreshing every min-interval less its lead: a few collections once, at the start.
import type { Timer } from './collection.js';
import type { Logger } from '../util/log.js';

export interface PrefetchOptions {
  /** --collector.min-interval: how young a result must be to be served as it is. 0 turns prefetching off. */
  minIntervalSeconds: number;
  /** Unix seconds with fractions. */
  clock?: () => number;
  /** Injected by tests; by default a timer that does not keep the process alive. */
  timer?: Timer;
  log?: Logger;
  /** Keep a fresh result between a scraper's first and second scrape (see the top of this file). */
  warmUp?: boolean;
}

/** The longest first interval a warm-up covers: twice Prometheus's default scrape interval. */
export const WARM_UP_SECONDS = 120;

const unrefTimer: Timer = (seconds, fn) => {
  const t = setTimeout(fn, seconds * 1000);
  t.unref();
  return () => clearTimeout(t);
};

/** Consecutive intervals within this share of each other count as one steady scraper. */
const STEADY = 0.1;

export class Prefetch {
  private lastScrape: number | null = null;
  private lastInterval: number | null = null;
  /** How long the last prefetched refresh took, seconds. */
  private lastDuration = 0;
  private cancel: (() => void) | null = null;
  private running = false;
  private closed = false;
  private readonly clock: () => number;
  private readonly timer: Timer;

  constructor(
    /** Collects, detects and renders what the next scrape, expected `aheadSeconds` from now, will serve. */
    private readonly refresh: (aheadSeconds: number) => Promise<unknown>,
    private readonly opts: PrefetchOptions,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.timer = opts.timer ?? unrefTimer;
  }

  /** A scrape arrived: schedules the next prefetch when the scraper is steady. */
  scraped(): void {
    const now = this.clock();
    const interval = this.lastScrape === null ? null : now - this.lastScrape;
    // One interval is enough to expect the next (a scraper's third scrape is prefetched); one that then came at
    // another interval is not steady until two agree again. A wrong guess costs one collection, never a result.
    const steady =
      interval !== null &&
      (this.lastInterval === null || Math.abs(interval - this.lastInterval) <= STEADY * this.lastInterval);
    this.lastScrape = now;
    this.lastInterval = interval;
    this.cancel?.();
    this.cancel = null;
    const lead = this.leadSeconds();
    if (interval === null && this.opts.warmUp && !this.closed && lead !== null) {
      this.warmUp(now + WARM_UP_SECONDS);
      return;
    }
    // Only where it helps: a scraper faster than min-interval is served the last result anyway.
    if (!steady || interval === null || this.closed || lead === null || interval <= this.opts.minIntervalSeconds)
      return;
    this.opts.log?.debug('prefetch scheduled', { inSeconds: interval - lead, leadSeconds: lead });
    this.cancel = this.timer(Math.max(0, interval - lead), () => {
      this.cancel = null;
      void this.run(lead);
    });
  }

  /**
   * How far ahead of the expected scrape to start: twice the last refresh plus up to half a second for a scraper's
   * jitter, at most half of min-interval (so the result is still younger than min-interval at the scrape). A
   * refresh slower than that is still running when the scrape comes, which then waits only for the rest of it.
   */
  leadSeconds(): number | null {
    const min = this.opts.minIntervalSeconds;
    if (min <= 0) return null;
    return Math.min(2 * this.lastDuration + Math.min(0.5, min / 4), min / 2);
  }

  /** One warm-up step: a refresh every min-interval less the lead, until `until` or the next scrape. */
  private warmUp(until: number): void {
    const lead = this.leadSeconds();
    if (lead === null) return;
    const every = this.opts.minIntervalSeconds - lead;
    if (this.clock() + every >= until) return;
    this.cancel = this.timer(every, () => {
      this.cancel = null;
      // A scrape may come any time before the next step: the result must still be fresh then.
      void this.run(every + lead);
      this.warmUp(until);
    });
  }

  private async run(aheadSeconds: number): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    const start = this.clock();
    try {
      await this.refresh(aheadSeconds);
    } catch {
      // The scrape collects itself and reports what failed.
    } finally {
      this.lastDuration = this.clock() - start;
      this.running = false;
      this.opts.log?.debug('prefetched', { seconds: this.lastDuration });
    }
  }

  close(): void {
    this.closed = true;
    this.cancel?.();
    this.cancel = null;
  }
}
