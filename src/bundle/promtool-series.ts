// The vocabulary of promtool cases: input series, expected firings, and the two jobs every series is
// scraped by (a join without `max by` fails on the copy). No catalog here, so family case files can use it.

export interface SeriesInput {
  metric: string;
  labels: Readonly<Record<string, string>>;
  values: string;
}
export interface Firing {
  labels: Readonly<Record<string, string>>;
  value: number;
  /** What the queries of a fleet alert's templates return: the instances they name, sorted. */
  instances?: readonly string[];
}
export interface AlertCase {
  atMinutes: number;
  firing: readonly Firing[];
}
export interface PromtoolTest {
  name: string;
  alert: string;
  series: readonly SeriesInput[];
  cases: readonly AlertCase[];
}

export const TEST_JOB = 'vmzombie';
export const TEST_COPY_JOB = 'vmzombie-node';
export const TEST_INSTANCE = 'exporter-a:9955';
export const TEST_CLUSTER = 'example';

/** The labels every expected firing of the test exporter carries. */
export const AT_TEST_INSTANCE = { instance: TEST_INSTANCE } as const;

/** The same series from both jobs. */
export function twice(metric: string, labels: Record<string, string>, values: string): SeriesInput[] {
  const copy = (job: string) => ({ metric, labels: { job, instance: TEST_INSTANCE, ...labels }, values });
  return [TEST_JOB, TEST_COPY_JOB].map(copy);
}
