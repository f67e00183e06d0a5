// The one place a metric selector is written: every query of the rules and dashboards names its
// series through `sel()`, which adds the site's job selector (a test parses every query and checks it).
import type { BundleConfig } from './config.js';

export type Matchers = Readonly<Record<string, string>>;

/** A string as a PromQL double-quoted literal. */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/**
 * `metric{<selector>,k="v",…}`. A value starting with `=~`, `!=` or `!~` keeps that operator, so
 * dashboards can pass `=~"$instance"` through; plain values are equality matchers.
 */
export function sel(
  config: Pick<BundleConfig, 'selector'>,
  metric: string,
  matchers: Matchers = {},
  extra = '',
): string {
  const parts = [config.selector];
  for (const [name, value] of Object.entries(matchers)) {
    const op = /^(=~|!=|!~)/.exec(value)?.[1];
    parts.push(op ? `${name}${op}${promString(value.slice(op.length))}` : `${name}=${promString(value)}`);
  }
  if (extra) parts.push(extra);
  return `${metric}{${parts.join(',')}}`;
}

/** `by (a, b)` with empty entries dropped. */
export function by(labels: readonly string[]): string {
  return `by (${[...new Set(labels)].join(', ')})`;
}
