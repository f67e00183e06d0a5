// The explicit registries match the folders: every source folder is listed, every detector file is
// listed under its own kind, and the catalog has exactly one entry per detector.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SOURCES } from '../src/sources/index.js';
import { DETECTORS } from '../src/detectors/index.js';
import { CATALOG, FINDING_KINDS } from '../src/catalog/catalog.js';
import { FLAGS } from '../src/config/flags.js';
import { SectionsSchema } from '../src/snapshot/snapshot.js';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src');

test('src/sources/index.ts lists every source folder, each under its folder name', () => {
  const folders = readdirSync(path.join(SRC, 'sources'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
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
    .filter((n) => n !== 'index.ts' && n !== 'finding.ts' && !n.endsWith('-evidence.ts'))
    .sort();
}

test('src/detectors/index.ts lists one detector per file, its kind named after the file', async () => {
  const files = detectorFiles();
  assert.ok(files.length > 0);
  const kinds = DETECTORS.map((d) => d.kind);
  assert.equal(new Set(kinds).size, kinds.length, 'no kind listed twice');
  assert.deepEqual([...kinds].sort(), files.map((f) => f.replace(/\.ts$/, '').replace(/-/g, '_')).sort());
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(SRC, 'detectors', file)).href) as Record<string, unknown>;
    const exported = Object.values(mod).filter((v): v is { kind: string; detect: unknown } =>
      typeof v === 'object' && v !== null && 'kind' in v && 'detect' in v && typeof (v as { detect: unknown }).detect === 'function');
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
    for (const n of d.needs) assert.ok(sections.includes(n), `${d.kind} needs unknown section ${n}`);
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
    assert.equal(FLAGS[spec.graceFlag].type, 'duration', `${kind}: ${spec.graceFlag}`);
    assert.match(spec.alert.for, /^\d+[smh]$/, kind);
    const labels: readonly string[] = spec.labels;
    assert.ok(!labels.includes('kind') && !labels.includes('subject'), `${kind} redeclares kind/subject`);
  }
});
