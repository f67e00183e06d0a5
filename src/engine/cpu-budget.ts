// Paces a node agent's collections to a share of one core. On a busy host one collection costs the agent a few
// hundred milliseconds of CPU (a few thousand processes in /proc, a thousand domains), so a scraper every 15 s
// would keep several percent of a core busy watching for leftovers that take minutes to matter. The rule: a new
// collection waits until the agent's CPU since the last one began, spread over the time since, is within the
// budget; until then scrapes are served the last result, as within --collector.min-interval. All of the agent's
// CPU counts (detection, rendering, serving scrapes, collection of garbage), so the average over a long run stays
// within the budget. A collection cheaper than the budget's share of the scrape interval (75 ms at 0.5 % and 15 s)
// is never held back; however costly the host, a result is never older than the longest hold when a scrape arrives.
// What the fleet rules must see soon (a guest started, stopped or migrated) ends a hold: the libvirt source hears it
// from libvirt's lifecycle events. Without those events (no connection, an old daemon) a hold is capped at a minute,
// the bound those rules were written for (docs/fleet.md).

/** The process's CPU time so far (user and system, every thread), seconds. */
export type CpuClock = () => number;

const processCpu: CpuClock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * A collection due within this long of the hold's end is not held: a steady scraper's jitter and the prefetch's
 * changing lead must not cost a whole scrape interval.
 */
export const HOLD_SLACK_SECONDS = 1;

/**
 * The longest hold while no source hears of changes as they happen: a live migration's source host then shows the
 * guest running for up to this long after it left, and the fleet rules' `for: 3m` allows for a minute of it.
 */
export const UNWATCHED_MAX_HOLD_SECONDS = 60;

export interface CpuBudgetOptions {
  /** Percent of one core the agent may use on average; above 0. */
  percentOfOneCore: number;
  /** The longest a collection is held back while `watching()`, seconds (else at most a minute). */
  maxHoldSeconds: number;
  /**
   * Whether the changes that must not wait (a domain started, stopped, migrated) are being heard as they happen,
   * each calling `changed()`. Absent: never.
   */
  watching?: () => boolean;
  cpu?: CpuClock;
}

export class CpuBudget {
  private cpuAtLastStart: number | null = null;
  /** A change was heard since the last collection began: the next is not held. */
  private changedSinceStart = false;
  private readonly share: number;
  private readonly cpu: CpuClock;

  constructor(private readonly opts: CpuBudgetOptions) {
    if (!(opts.percentOfOneCore > 0)) throw new Error(`a CPU budget must be above 0, got ${opts.percentOfOneCore}`);
    this.share = opts.percentOfOneCore / 100;
    this.cpu = opts.cpu ?? processCpu;
  }

  /** A collection begins now. */
  started(): void {
    this.changedSinceStart = false;
    this.cpuAtLastStart = this.cpu();
  }

  /** Something changed that the next scrape must see: the hold ends. */
  changed(): void {
    this.changedSinceStart = true;
  }

  /** The longest hold now: the flag's while changes are heard as they happen, else at most a minute. */
  maxHoldSeconds(): number {
    return this.hearingChanges()
      ? this.opts.maxHoldSeconds
      : Math.min(this.opts.maxHoldSeconds, UNWATCHED_MAX_HOLD_SECONDS);
  }

  /**
   * How long after the last collection began the next may begin, seconds: the agent's CPU since then over the
   * budget's share, at most the longest hold. 0 before the first collection and after a change was heard.
   */
  holdSeconds(): number {
    if (this.cpuAtLastStart === null || this.changedSinceStart) return 0;
    const used = Math.max(0, this.cpu() - this.cpuAtLastStart);
    return Math.min(this.maxHoldSeconds(), used / this.share);
  }

  /** Whether a result `ageSeconds` old (at the time it would be served) is still held by the budget. */
  holds(ageSeconds: number): boolean {
    return this.remainingSeconds(ageSeconds) > 0;
  }

  /** How much longer a result `ageSeconds` old is held, seconds (0: the next scrape collects). */
  remainingSeconds(ageSeconds: number): number {
    return Math.max(0, this.holdSeconds() - HOLD_SLACK_SECONDS - ageSeconds);
  }

  /** Whether changes are heard as they happen (the longer hold applies). */
  hearingChanges(): boolean {
    return this.opts.watching?.() === true;
  }

  get percentOfOneCore(): number {
    return this.opts.percentOfOneCore;
  }
}
