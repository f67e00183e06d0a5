// The one-way flow of the design, enforced on the source tree: sources → snapshot → detectors
// (through shared views) → outputs, with the engine running them and one composition root on top.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function files(dir: string): string[] {
  return readdirSync(path.join(SRC, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)));
}

/** Each relative import of a file, resolved to a path under src/ ("views/vfio.ts"), with whether it is type-only. */
export function importsOf(file: string): Array<{ target: string; typeOnly: boolean }> {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const found: Array<{ target: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const target = path.relative(
      SRC,
      path.resolve(path.dirname(path.join(SRC, file)), (m[3] as string).replace(/\.js$/, '.ts')),
    );
    found.push({ target, typeOnly: m[2] !== undefined });
  }
  return found;
}

const under = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

interface Rule {
  layer: string;
  forbidden: string[];
  typesOnly?: string[];
  allowedRuntime?: string[];
}

const RULES: Rule[] = [
  // Sources do I/O and return sections; they never judge.
  {
    layer: 'sources',
    forbidden: ['detectors', 'views', 'outputs', 'engine', 'catalog', 'exporter.ts', 'server.ts', 'cli.ts', 'flags.ts'],
  },
  // Config is the ground floor: the full flag table is composed above the layers (src/flags.ts), so
  // loading config/ loads no source and no detector (their flag types only).
  {
    layer: 'config',
    forbidden: ['views', 'outputs', 'engine', 'exporter.ts', 'server.ts', 'cli.ts', 'flags.ts'],
    typesOnly: ['detectors', 'catalog', 'sources'],
  },
  // Snapshot schemas are the boundary: they depend on nothing but zod.
  { layer: 'snapshot', forbidden: ['sources', 'detectors', 'views', 'outputs', 'engine', 'catalog', 'config'] },
  // Shared views are pure derivations of sections.
  { layer: 'views', forbidden: ['sources', 'detectors', 'outputs', 'engine', 'catalog', 'config'] },
  // Detectors are pure: no I/O, no outputs, no engine; the catalog only as types (finding.ts derives from it).
  { layer: 'detectors', forbidden: ['sources', 'outputs', 'engine'], typesOnly: ['catalog'] },
  // Outputs format results: the detectors' types, never their logic, and never the engine.
  {
    layer: 'outputs',
    forbidden: ['sources', 'engine'],
    typesOnly: ['detectors'],
  },
  // The engine runs sources and detectors; outputs attach above it.
  { layer: 'engine', forbidden: ['outputs', 'server.ts', 'cli.ts', 'exporter.ts'] },
  // A family manifest gathers its own parts; it never reaches the engine, the generic outputs or the
  // catalog it feeds (its dashboards are loaded lazily, by the generator only).
  {
    layer: 'families',
    forbidden: ['engine', 'exporter.ts', 'server.ts', 'cli.ts', 'catalog/catalog.ts', 'bundle/dashboards'],
  },
];

/** Every file reachable from `start` through runtime (not type-only) imports. */
function runtimeClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { target, typeOnly } of importsOf(file)) if (!typeOnly) todo.push(target);
  }
  return seen;
}

describe('import boundaries', () => {
  for (const rule of RULES) {
    it(`${rule.layer}/ imports nothing it must not`, () => {
      const bad: string[] = [];
      for (const file of files(rule.layer)) {
        for (const { target, typeOnly } of importsOf(file)) {
          if (rule.forbidden.some((d) => under(target, d))) bad.push(`${file} → ${target}`);
          if (!typeOnly && (rule.typesOnly ?? []).some((d) => under(target, d)))
            bad.push(`${file} → ${target} (types only)`);
        }
      }
      assert.deepEqual(bad, []);
    });
  }

  // The catalog, the snapshot schema and every shared list are derived from the families list, so no part a
  // family lists may load that list (or the catalog) back while it is being built: a cycle there leaves a
  // manifest reading an import that is not yet initialised.
  it('nothing a family lists loads the families list or the catalog back at runtime', () => {
    const family = (f: string) => f.startsWith('families/');
    const parts = [...runtimeClosure('families/index.ts')].filter((f) => !family(f));
    const back = parts.flatMap((file) =>
      importsOf(file)
        .filter((i) => !i.typeOnly && (family(i.target) || i.target === 'catalog/catalog.ts'))
        .map((i) => `${file} → ${i.target}`),
    );
    assert.deepEqual(back, []);
    assert.ok(parts.includes('outputs/metrics/vsphere-metrics.ts'), 'the closure follows the manifests');
  });

  // Sibling sources are one floor: what two of them read lives in sources/shared/ (which imports no source).
  it('no source imports another source (only sources/shared/ and the contract files at the top)', () => {
    const bad: string[] = [];
    for (const file of files('sources')) {
      const own = file.split('/')[1] as string;
      if (!file.includes('/', 'sources/'.length)) continue; // the contract files (source.ts, index.ts, …)
      for (const { target } of importsOf(file)) {
        if (!under(target, 'sources')) continue;
        const other = target.split('/')[1] as string;
        if (!target.includes('/', 'sources/'.length)) continue; // a contract file at the top of sources/
        if (other !== own && other !== 'shared') bad.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('sees the imports it checks (a file known to import views does)', () => {
    assert.ok(importsOf('outputs/metrics/device-metrics.ts').some((i) => i.target === 'views/vfio.ts'));
    assert.ok(importsOf('detectors/finding.ts').some((i) => i.target === 'catalog/catalog.ts' && i.typeOnly));
    assert.ok(importsOf('config/flags.ts').some((i) => i.target === 'sources/source-flags.ts' && i.typeOnly));
  });
});
