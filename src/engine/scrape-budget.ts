// How long a scrape may take: what Prometheus says it waits (X-Prometheus-Scrape-Timeout-Seconds)
// minus a margin for rendering and the network, or the configured budget when no header came.
export interface ScrapeBudgetOptions {
  /** --web.scrape-timeout-offset: taken off the header's value. */
  offsetSeconds: number;
  /** --web.scrape-budget: used when the request carries no (valid) header. */
  fallbackSeconds: number;
}

/** Never less than a tenth of a second, so a tiny or odd header still lets fast sources answer. */
export const MIN_BUDGET_SECONDS = 0.1;

export function scrapeBudgetSeconds(header: string | string[] | undefined, opts: ScrapeBudgetOptions): number {
  const raw = Array.isArray(header) ? header[0] : header;
  const told = raw === undefined ? NaN : Number(raw.trim());
  const budget = Number.isFinite(told) && told > 0 ? told - opts.offsetSeconds : opts.fallbackSeconds;
  return Math.max(MIN_BUDGET_SECONDS, budget);
}
