// The exporter's own command-line flags, Prometheus-exporter style (--web.listen-address,
// --collector.X / --no-collector.X), and the typed Config every layer reads. Each source declares
// its flags beside it (sources/<name>/flags.ts) and each detector its knobs; the full table is
// composed above the layers (src/flags.ts), so this ground floor loads no source and no detector.
import type { FlagSpec, FlagTable } from './flag-spec.js';
import { bool, duration, int, num, str } from './flag-spec.js';
import type { SourceFlags } from '../sources/source-flags.js';

/** Serving and the agent's mode: first in --help. */
export const SERVE_FLAGS = {
  'web.listen-address': str('0.0.0.0:9955', 'Address to serve /metrics, /findings and the landing page on.'),
  'web.config.file': str(
    '',
    'exporter-toolkit web config (YAML): TLS, client certificates and basic auth (README "Web config"). Empty: plain ' +
      'HTTP.',
  ),
  'web.enable-snapshot': bool(
    false,
    'Serve /snapshot.json, redacted as by `snapshot --redact`. Off: it answers 404 (it holds every command line).',
  ),
  'web.snapshot-unredacted': bool(
    false,
    'With --web.enable-snapshot: serve the raw snapshot (every process command line, host and user name) instead.',
  ),
  mode: str('node', 'node: this host (libvirt, /proc, /sys). cluster: KubeVirt objects through the Kubernetes API.'),
} satisfies FlagTable;

/** How collections and findings are bounded: in --help after the node sources' flags. */
export const COLLECT_FLAGS = {
  'collector.timeout': duration(
    '10s',
    'Time one source may take per collection before it is cancelled and marked down.',
  ),
  'web.scrape-budget': duration(
    '9s',
    'A scrape without X-Prometheus-Scrape-Timeout-Seconds is answered within this; sources still running are served ' +
      'from their last good data, marked stale.',
  ),
  'web.scrape-timeout-offset': duration(
    '500ms',
    'Taken off X-Prometheus-Scrape-Timeout-Seconds to leave time to render and send the answer.',
  ),
  'collector.min-interval': duration('5s', 'A collection younger than this is served as it is to new scrapes.'),
  'collector.cpu-budget': num(
    0.5,
    'Node mode: percent of one core the agent may use on average. A collection waits until its CPU since the last ' +
      'one began, over the time since, is within this; scrapes meanwhile get the last result. 0 (or ' +
      '--collector.min-interval=0s): no budget.',
  ),
  'collector.cpu-budget-max-hold': duration(
    '3m',
    "The longest the CPU budget holds a collection back while libvirt's lifecycle events are heard (each one, a " +
      'guest started, stopped or migrated, ends a hold); without them at most 1m. A scrape is never served an ' +
      'older result than that.',
  ),
  'collector.prefetch': bool(
    true,
    'For a scraper at a steady interval longer than --collector.min-interval, start the collection shortly before ' +
      'its next scrape is due, so the scrape is answered without waiting for it.',
  ),
  'keep.file': str(
    '',
    'Keep file (YAML): findings it marks as on purpose are acknowledged (no alert, counted as kept). Read again ' +
      'when it changes. Empty: none.',
  ),
  'findings.max-per-kind': int(
    500,
    'Per-finding series kept per kind; the rest are counted in vmzombie_findings_dropped_total.',
  ),
  'detect.grace': duration(
    '1m',
    'How long a state must persist before it is a finding (kinds without their own grace).',
  ),
  cluster: str(
    '',
    'Value of a `cluster` label added to every series (for Prometheus servers that scrape several clusters). ' +
      'Empty: no label.',
  ),
} satisfies FlagTable;

/** The commands' and the log's flags: in --help after every source's flags. */
export const COMMAND_FLAGS = {
  from: str('', 'scan: read this saved snapshot (from `snapshot`) instead of collecting.'),
  output: str('text', 'scan: text or json.'),
  redact: bool(
    false,
    'snapshot: cut command lines to what detection reads, replace host and user names, drop URL credentials (for a ' +
      "public bug report). Without it the file holds every process's full command line (with any password or token " +
      'given as an argument), open files, host, domain, pool, Kubernetes and vCenter names.',
  ),
  'log.level': str('info', 'debug, info, warn or error.'),
  'log.json': bool(false, 'Log one JSON object per line instead of text.'),
} satisfies FlagTable;

/** The exporter's own flags (the sources' and detectors' are composed with them in src/flags.ts). */
export const FLAGS = { ...SERVE_FLAGS, ...COLLECT_FLAGS, ...COMMAND_FLAGS } satisfies FlagTable;

type Declared = typeof FLAGS & SourceFlags;
export type FlagName = keyof Declared;
type ValueOf<S> = S extends FlagSpec<infer T> ? T : never;
export type Config = { -readonly [K in FlagName]: ValueOf<Declared[K]> } & {
  /** Detector knobs: durations in seconds, thresholds as numbers. */
  [knob: `detect.${string}`]: number;
} & {
  /** Explicit --collector.X / --no-collector.X choices; absent means the source's default. */
  collectors: Record<string, boolean>;
};

/** A detector knob's value (the flag table gives every knob a default, so it is always set). */
export function knob(config: Config, name: `detect.${string}`): number {
  const value = config[name];
  if (value === undefined) throw new Error(`no such knob --${name}`);
  return value;
}
