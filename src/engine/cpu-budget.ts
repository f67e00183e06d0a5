// Paces a node agent's collections to a share of one core. On a busy host one collection costs the agent a few
// hundred milliseconds of CPU (a few thousand processes in /proc, a thousand domains), so a scraper every 15 s
// would keep several percent of a core busy watching for leftovers that take minutes to matter. The rule: a new
// collection waits until the agent's CPU since the last one began, spread over the time since, is within the
// budget; until then scrapes are served the last result, as within --collector.min-interval. All of the agent's
// CPU counts (detection, rendering, serving scrapes, collection of garbage), so the average over a long run stays
// within the budget. A collection cheaper than the budget's share of the scrape interval (75 ms at 0.5 % and 15 s)
// is never held back; however costly the host, a result is never older than the longest hold when a scrape arrives.

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

export interface CpuBudgetOptions {
  /** Percent of one core the agent may use on average; above 0. */
  percentOfOneCore: number;
  /** The longest a collection is held back, seconds. */
  maxHoldSeconds: number;
  cpu?: CpuClock;
}

export class CpuBudget {
  private cpuAtLastStart: number | null = null;
  private readonly share: number;
  private readonly cpu: CpuClock;

  constructor(private readonly opts: CpuBudgetOptions) {
    if (!(opts.percentOfOneCore > 0)) throw new Error(`a CPU budget must be above 0, got ${opts.percentOfOneCore}`);
    this.share = opts.percentOfOneCore / 100;
    this.cpu = opts.cpu ?? processCpu;
  }

  /** A collection begins now. */
  started(): void {
    this.cpuAtLastStart = this.cpu();
  }

  /**
   * How long after the last collection began the next may begin, seconds: the agent's CPU since then over the
   * budget's share, at most the longest hold. 0 before the first collection.
   */
  holdSeconds(): number {
    if (this.cpuAtLastStart === null) return 0;
    const used = Math.max(0, this.cpu() - this.cpuAtLastStart);
    return Math.min(this.opts.maxHoldSeconds, used / this.share);
  }

  /** Whether a result `ageSeconds` old (at the time it would be served) is still held by the budget. */
  holds(ageSeconds: number): boolean {
    return this.remainingSeconds(ageSeconds) > 0;
  }

  /** How much longer a result `ageSeconds` old is held, seconds (0: the next scrape collects). */
  remainingSeconds(ageSeconds: number): number {
    return Math.max(0, this.holdSeconds() - HOLD_SLACK_SECONDS - ageSeconds);
  }

  get percentOfOneCore(): number {
    return this.opts.percentOfOneCore;
  }
}
