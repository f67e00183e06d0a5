// Parses Prometheus text exposition into samples, for asserting on what /metrics serves.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function unescape(v: string): string {
  return v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    for (let l = re.exec(body); l; l = re.exec(body)) labels[l[1] as string] = unescape(l[2] as string);
    samples.push({ name: m[1] as string, labels, value: Number(m[4]) });
  }
  return samples;
}

export function series(samples: Sample[], name: string, match: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

export function value(samples: Sample[], name: string, match: Record<string, string> = {}): number | undefined {
  const found = series(samples, name, match);
  if (found.length > 1) throw new Error(`${found.length} series match ${name} ${JSON.stringify(match)}`);
  return found[0]?.value;
}
