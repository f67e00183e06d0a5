// Renders the small subset of Prometheus' alert templating the bundle uses ({{ $labels.x }},
// {{ with $labels.x }}…{{ . }}…{{ end }}, {{ $value | humanize… }}) so generated promtool tests
// can state exact annotations. Anything else throws, so a new construct cannot slip past the tests.

/** Go's %.4g for the magnitudes alerts print (no exponent form needed at or above 1e-4 below 1e4). */
function g4(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Prometheus' humanizeDuration for values of at least one second (and 0). */
export function humanizeDuration(v: number): string {
  if (v === 0) return '0s';
  if (v < 1) throw new Error(`humanizeDuration below 1s not supported: ${v}`);
  const d = Math.trunc(v);
  const [s, m, h, days] = [d % 60, Math.trunc(d / 60) % 60, Math.trunc(d / 3600) % 24, Math.trunc(d / 86400)];
  if (days) return `${days}d ${h}h ${m}m ${s}s`;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${g4(v)}s`;
}

function scaled(v: number, base: number, prefixes: readonly string[]): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1) throw new Error(`humanize below 1 not supported: ${v}`);
  let prefix = '';
  for (const p of prefixes) {
    if (Math.abs(v) < base) break;
    prefix = p;
    v /= base;
  }
  return `${g4(v)}${prefix}`;
}

export const humanize = (v: number) => scaled(v, 1000, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']);
export const humanize1024 = (v: number) => scaled(v, 1024, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']);

const FILTERS: Record<string, (v: number) => string> = { humanizeDuration, humanize, humanize1024 };

/** `printf` of a query with `%q` slots filled from the alert's labels, in Go template syntax. */
function printfQuery(query: string, args: readonly string[]): string {
  if (query.includes('`')) throw new Error(`a query in a template cannot hold a backquote: ${query}`);
  return `printf \`${query}\` ${args.map((a) => `$labels.${a}`).join(' ')}`;
}

/**
 * Go template: the `instance` of every series `query` returns (sorted, comma-separated), evaluated when
 * the alert fires. For fleet alerts, to name every host involved without one alert per host pair.
 */
export function instancesTemplate(query: string, args: readonly string[]): string {
  return (
    `{{ range $i, $s := ${printfQuery(query, args)} | query | sortByLabel "instance" }}` +
    `{{ if $i }}, {{ end }}{{ $s.Labels.instance }}{{ end }}`
  );
}

/** Go template: the first (sorted) `instance` `query` returns, for a link on an alert that has no instance label. */
export function firstInstanceTemplate(query: string, args: readonly string[]): string {
  const first = `${printfQuery(query, args)} | query | sortByLabel "instance" | first`;
  return `{{ with ${first} }}{{ .Labels.instance }}{{ end }}`;
}

const INSTANCES =
  /\{\{ range \$i, \$s := printf `[^`]*`(?: \$labels\.\w+)* \| query \| sortByLabel "instance" \}\}\{\{ if \$i \}\}, \{\{ end \}\}\{\{ \$s\.Labels\.instance \}\}\{\{ end \}\}/g;
const FIRST_INSTANCE =
  /\{\{ with printf `[^`]*`(?: \$labels\.\w+)* \| query \| sortByLabel "instance" \| first \}\}\{\{ \.Labels\.instance \}\}\{\{ end \}\}/g;

/** `instances`: what the template's queries return (sorted), for the constructs above. */
export function renderTemplate(
  template: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  instances: readonly string[] = [],
): string {
  const queried = template
    .replace(INSTANCES, () => instances.join(', '))
    .replace(FIRST_INSTANCE, () => instances[0] ?? '');
  const withBlocks = queried.replace(
    /\{\{ with \$labels\.(\w+) \}\}(.*?)\{\{ end \}\}/g,
    (_, name: string, inner: string) => {
      const v = labels[name] ?? '';
      return v === '' ? '' : inner.replace(/\{\{ \. \}\}/g, v);
    },
  );
  const out = withBlocks
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '')
    .replace(/\{\{ \$value \| (\w+) \}\}/g, (_, f: string) => {
      const fn = FILTERS[f];
      if (!fn) throw new Error(`template filter ${f} not supported`);
      return fn(value);
    });
  if (out.includes('{{')) throw new Error(`template construct not supported: ${template}`);
  return out;
}

/** The label names a template reads through `$labels`. */
export function templateLabels(template: string): string[] {
  return [...template.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1] as string);
}
