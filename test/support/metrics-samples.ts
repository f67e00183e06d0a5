// Parses Prometheus text exposition into samples keyed by name and sorted labels, so tests can
// assert exact series.
export interface Sample { name: string; labels: Record<string, string>; value: number }

export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = (l[2] as string).replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** The value of the series with exactly these labels, or undefined. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const want = key(labels);
  return samples.find((s) => s.name === name && key(s.labels) === want)?.value;
}

/** Every series of a family, as "labels → value" with sorted label lists, for exact comparisons. */
export function series(samples: Sample[], name: string): Array<[Record<string, string>, number]> {
  return samples.filter((s) => s.name === name)
    .map((s): [Record<string, string>, number] => [Object.fromEntries(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b))), s.value])
    .sort((a, b) => key(a[0]).localeCompare(key(b[0])));
}
