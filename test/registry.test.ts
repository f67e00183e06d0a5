// The explicit registries match the folders: every source folder is listed, and the catalog names
// every detector file exactly once, under the detector's own kind.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SOURCES } from '../src/sources/index.js';
import { CATALOG, DETECTORS, FINDING_KINDS } from '../src/catalog/catalog.js';
import { ALL_FLAGS } from '../src/config/flags.js';
import { SectionsSchema } from '../src/snapshot/snapshot.js';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src');

test('src/sources/index.ts lists every source folder, each under its folder name', () => {
  const folders = readdirSync(path.join(SRC, 'sources'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  assert.deepEqual(SOURCES.map((s) => s.name).sort(), folders);
  assert.equal(new Set(SOURCES.map((s) => s.name)).size, SOURCES.length, 'no source listed twice');
});

test('every source has a snapshot section and every section a source', () => {
  assert.deepEqual(SOURCES.map((s) => s.name).sort(), Object.keys(SectionsSchema.shape).sort());
});

function detectorFiles(): string[] {
  return readdirSync(path.join(SRC, 'detectors'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => e.name)
    .filter((n) => n !== 'detector.ts' && n !== 'finding.ts' && !n.endsWith('-evidence.ts'))
    .sort();
}

test('the catalog names one detector per file, its kind named after the file', async () => {
  const files = detectorFiles();
  assert.ok(files.length > 0);
  const kinds = DETECTORS.map((d) => d.kind);
  assert.equal(new Set(kinds).size, kinds.length, 'no kind listed twice');
  assert.deepEqual([...kinds].sort(), files.map((f) => f.replace(/\.ts$/, '').replace(/-/g, '_')).sort());
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(SRC, 'detectors', file)).href)) as Record<string, unknown>;
    const exported = Object.values(mod).filter(
      (v): v is { kind: string; detect: unknown } =>
        typeof v === 'object' &&
        v !== null &&
        'kind' in v &&
        'detect' in v &&
        typeof (v as { detect: unknown }).detect === 'function',
    );
    assert.equal(exported.length, 1, `${file} exports ${exported.length} detectors`);
    const [det] = exported;
    assert.equal(det!.kind, file.replace(/\.ts$/, '').replace(/-/g, '_'), file);
    assert.ok(DETECTORS.includes(det as never), `${file}'s detector is the one registered`);
  }
});

test('every detector needs only sections that exist', () => {
  const sections = Object.keys(SectionsSchema.shape);
  for (const d of DETECTORS) {
    assert.ok(d.needs.length > 0, d.kind);
    for (const n of d.needs) {
      assert.ok(
        sections.includes(n) || n === 'libvirt.local' || n === 'procfs.unrestricted' || n.startsWith('hyperv.'),
        `${d.kind} needs unknown ${n}`,
      );
    }
  }
});

test('the catalog has exactly one entry per detector', () => {
  assert.deepEqual([...FINDING_KINDS].sort(), DETECTORS.map((d) => d.kind).sort());
});

test('catalog alert names are unique and start with VMZombie; grace flags are duration flags', () => {
  const names = Object.values(CATALOG).map((s) => s.alert.name);
  assert.equal(new Set(names).size, names.length, `duplicate alert names: ${names.join(', ')}`);
  for (const [kind, spec] of Object.entries(CATALOG)) {
    assert.match(spec.alert.name, /^VMZombie[A-Z][A-Za-z0-9]*$/, kind);
    assert.equal(ALL_FLAGS[spec.graceFlag]?.type, 'duration', `${kind}: ${spec.graceFlag}`);
    assert.match(spec.alert.for, /^\d+[smh]$/, kind);
    const labels: readonly string[] = spec.labels;
    assert.ok(!labels.includes('kind') && !labels.includes('subject'), `${kind} redeclares kind/subject`);
  }
});

test('every detector knob is a detect.* flag in the table, and its grace is one of its knobs', () => {
  for (const d of DETECTORS) {
    for (const [name, spec] of Object.entries(d.knobs ?? {})) {
      assert.ok(name.startsWith('detect.'), `${d.kind}: ${name}`);
      assert.equal(ALL_FLAGS[name], spec, `${d.kind}: --${name} is in the flag table`);
    }
    if (d.grace !== undefined) assert.ok(d.grace in (d.knobs ?? {}), `${d.kind}: grace ${d.grace}`);
  }
});

test('a detector that compares libvirt with this host states it, so a remote URI skips it', () => {
  for (const d of DETECTORS) {
    if (
      d.needs.includes('libvirt') &&
      (d.needs.includes('procfs') || d.needs.includes('pools') || d.needs.includes('sysfs'))
    ) {
      assert.ok(
        d.needs.includes('libvirt.local'),
        `${d.kind} reads host state beside libvirt but does not need libvirt.local`,
      );
    }
  }
});

test('the hand-written kind tables of README and docs/ name every kind once, and no kind that does not exist', () => {
  const root = path.join(SRC, '..');
  const docs = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith('.md'),
  );
  const rows = new Map<string, string[]>();
  for (const file of docs) {
    // A kind table's first cell is the kind in backticks: | `domain_paused` | raised when | ...
    for (const m of readFileSync(path.join(root, file), 'utf8').matchAll(/^\| `([a-z][a-z0-9_]*)` \|/gm)) {
      const kind = m[1] as string;
      if (kind.startsWith('vmzombie_') || !kind.includes('_')) continue; // a metric or flag table
      rows.set(kind, [...(rows.get(kind) ?? []), file]);
    }
  }
  const known = new Set<string>(FINDING_KINDS);
  const documentedKinds = [...rows.keys()].filter((k) => known.has(k));
  assert.deepEqual(
    FINDING_KINDS.filter((k) => !rows.has(k)),
    [],
    'kinds without a row in a kind table',
  );
  assert.deepEqual(
    documentedKinds.filter((k) => (rows.get(k) as string[]).length > 1),
    [],
    'kinds with more than one row',
  );
  const unknown = [...rows.entries()].filter(
    ([k, files]) => !known.has(k) && files.some((f) => f !== 'docs/hyperv.md'),
  );
  assert.deepEqual(unknown, [], 'rows naming no catalog kind');
});
