// Families with one series per object (a domain, a VMI), rendered to exposition text by us and cached
// per source object. prom-client hashes and formats every series anew on every scrape (about 8 µs
// each); at 1000 domains the per-domain families were a third of a whole scrape, and a 10 000-VM
// cluster has 20 000 per-VMI counter series. An unchanged object is the same object from one
// collection to the next (the libvirt source and the kube reader reuse it), so its line is formatted
// once. The registry below renders these families in their place among prom-client's own.
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string>>;

/** A gauge or counter whose series are derived from a list of objects, one line per object. */
export class CachedTextFamily<T extends object, L extends string> {
  readonly aggregator = 'sum';
  private items: readonly T[] = [];
  private lines = new WeakMap<T, string>();
  private linesFor = '';
  /** The last rendering's objects and their lines, by position. */
  private previous: { items: readonly T[]; lines: string[] } = { items: [], lines: [] };
  private rendered: { items: readonly T[]; key: string; text: string } | null = null;

  constructor(
    readonly type: 'gauge' | 'counter',
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    /** The series of one object: its labels and value, or null for none. */
    private readonly series: (item: T) => { labels: Labels<L>; value: number } | null,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The objects of the current snapshot; the previous ones' series are gone. */
  set(items: readonly T[]): void {
    this.items = items;
  }

  reset(): void {
    this.items = [];
  }

  /** prom-client's JSON view (getMetricsAsJSON), for tools that list the registered families. */
  get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const values: Array<MetricValue<string>> = [];
    for (const item of this.items) {
      const s = this.series(item);
      if (s) values.push({ labels: s.labels as Record<string, string>, value: s.value });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: 'sum',
      values,
    } as unknown as MetricObjectWithValues<MetricValue<string>>);
  }

  /** Exposition text, the registry's default labels after each series' own (as prom-client orders them). */
  text(defaultLabels: Readonly<Record<string, string>>): string {
    const defaults = Object.entries(defaultLabels);
    const key = JSON.stringify(defaults);
    if (key !== this.linesFor) {
      this.lines = new WeakMap();
      this.previous = { items: [], lines: [] };
      this.linesFor = key;
    }
    // Scrapes sharing one collection share its text; the next collection's list mostly holds the same
    // objects in the same places (a cluster's VMIs), found by position before the WeakMap.
    if (this.rendered?.items === this.items && this.rendered.key === key) return this.rendered.text;
    const previous = this.previous;
    const lines = new Array<string>(this.items.length);
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i] as T;
      let line = previous.items[i] === item ? previous.lines[i] : this.lines.get(item);
      if (line === undefined) {
        const s = this.series(item);
        line = s ? this.format(s.labels, s.value, defaults) : '';
        this.lines.set(item, line);
      }
      lines[i] = line;
      if (line) out.push(line);
    }
    this.previous = { items: this.items, lines };
    const text = out.join('\n');
    this.rendered = { items: this.items, key, text };
    return text;
  }

  private format(labels: Labels<L>, value: number, defaults: ReadonlyArray<[string, string]>): string {
    const parts: string[] = [];
    for (const n of this.labelNames) {
      const v = labels[n];
      if (v !== undefined) parts.push(`${n}="${escapeLabelValue(v)}"`);
    }
    for (const [n, v] of defaults) if (!(n in labels)) parts.push(`${n}="${escapeLabelValue(v)}"`);
    return `${this.name}${parts.length ? `{${parts.join(',')}}` : ''} ${formatValue(value)}`;
  }
}

/** A gauge of one series per object (`CachedTextFamily`). */
export class CachedTextGauge<T extends object, L extends string> extends CachedTextFamily<T, L> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    series: (item: T) => { labels: Labels<L>; value: number } | null,
    registry: Registry,
  ) {
    super('gauge', name, help, labelNames, series, registry);
  }
}

/** A counter of one series per object, its value the object's own total (`CachedTextFamily`). */
export class CachedTextCounter<T extends object, L extends string> extends CachedTextFamily<T, L> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    series: (item: T) => { labels: Labels<L>; value: number } | null,
    registry: Registry,
  ) {
    super('counter', name, help, labelNames, series, registry);
  }
}

/**
 * A prom-client registry (text format) that renders CachedTextFamily families from their cached text,
 * each in its registration place, and every other family through prom-client.
 */
export class ExporterRegistry extends Registry {
  private defaults: Record<string, string> = {};

  override setDefaultLabels(labels: object): void {
    this.defaults = { ...(labels as Record<string, string>) };
    super.setDefaultLabels(labels);
  }

  override async metrics(): Promise<string> {
    const parts = await Promise.all(
      this.getMetricsAsArray().map((m) => {
        const metric: unknown = m;
        return metric instanceof CachedTextFamily
          ? (metric as CachedTextFamily<object, string>).text(this.defaults)
          : this.getSingleMetricAsString(m.name);
      }),
    );
    return `${parts.join('\n\n')}\n`;
  }
}

// The text format's escapes: label values escape backslash, double quote and newline; help text
// backslash and newline.
function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
