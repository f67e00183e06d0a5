// The registries match the folders: the families list every source folder, each family is whole (kinds
// with runbooks, metrics, a dashboard, a docs page), and the catalog names every detector file exactly once.
import { describe, it, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FACTS, FAMILIES, SECTION_SPECS, SOURCES } from '../src/families/index.js';
import { buildAlerts } from '../src/bundle/alerts.js';
import { DEFAULT_CONFIG } from '../src/bundle/config.js';
import { CATALOG, DETECTORS, FINDING_KINDS } from '../src/catalog/catalog.js';
import { ALL_FLAGS } from '../src/flags.js';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src');

test('the families list every source folder once, each source under its folder name', () => {
  // sources/shared/ holds what two sources read (no source of its own).
  const folders = readdirSync(path.join(SRC, 'sources'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'shared')
    .map((e) => e.name)
    .sort();
  assert.deepEqual(SOURCES.map((s) => s.name).sort(), folders);
  assert.equal(new Set(SOURCES.map((s) => s.name)).size, SOURCES.length, 'no source listed twice');
});

test('every source has a snapshot section of its own family, and every section a source', () => {
  assert.deepEqual(SOURCES.map((s) => s.name).sort(), Object.keys(SECTION_SPECS).sort());
  for (const f of FAMILIES) {
    assert.deepEqual(f.sources.map((s) => s.name).sort(), Object.keys(f.sections).sort(), `family ${f.name}`);
  }
});

describe('each family is whole', () => {
  const root = path.join(SRC, '..');
  const runbooks = new Set(readdirSync(path.join(root, 'docs/runbooks')));
  const alertNames = buildAlerts(DEFAULT_CONFIG).map((a) => a.name);
  for (const f of FAMILIES) {
    it(`${f.name}: kinds, runbooks, metrics, a dashboard, a docs page, scopes and facts`, () => {
      const kinds = Object.keys(f.kinds);
      assert.ok(kinds.length > 0, 'has kinds');
      assert.ok(f.metrics.length > 0, 'has metrics for its sections');
      assert.ok(f.dashboards.length > 0, 'has a dashboard');
      assert.ok(existsSync(path.join(root, f.docsPage)), `docs page ${f.docsPage} exists`);
      for (const [kind, entry] of Object.entries(f.kinds)) {
        assert.ok(runbooks.has(`${entry.alert.name}.md`), `${kind} has a runbook`);
        assert.ok(f.scopes.includes(entry.scope), `${kind}'s scope ${entry.scope} is one of the family's`);
        // Its detector reads only its own family's sections (joins across families are rules, not detectors).
        for (const n of entry.detector.needs) {
          const section = n.split(/[.:]/)[0] as string;
          assert.ok(section in f.sections, `${kind} needs ${n}, outside family ${f.name}`);
        }
      }
      for (const a of f.alerts?.build(DEFAULT_CONFIG) ?? []) {
        assert.ok(runbooks.has(`${a.name}.md`), `family alert ${a.name} has a runbook`);
        assert.ok(
          f.alerts!.cases.some((c) => c.alert === a.name),
          `family alert ${a.name} has a promtool case`,
        );
      }
      for (const fact of Object.keys(f.facts ?? {})) {
        assert.ok(fact.split('.')[0]! in f.sections, `fact ${fact} is named after one of the family's sections`);
      }
    });
  }
  it('names, scopes, sections and dashboards are each claimed by one family', () => {
    const once = (values: string[], what: string) =>
      assert.deepEqual(
        values.filter((v, i) => values.indexOf(v) !== i),
        [],
        `${what} claimed twice`,
      );
    once(
      FAMILIES.map((f) => f.name),
      'family name',
    );
    once(
      FAMILIES.flatMap((f) => [...f.scopes]),
      'scope',
    );
    once(
      FAMILIES.flatMap((f) => Object.keys(f.sections)),
      'section',
    );
    once(
      FAMILIES.flatMap((f) => f.dashboards.map((d) => d.file)),
      'dashboard',
    );
    assert.ok(alertNames.length > 0);
  });
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

test('every detector needs only sections that exist and facts a family publishes', () => {
  const sections = Object.keys(SECTION_SPECS);
  for (const d of DETECTORS) {
    assert.ok(d.needs.length > 0, d.kind);
    for (const n of d.needs) {
      const fact = n.split(':')[0] as string;
      assert.ok(sections.includes(n) || fact in FACTS, `${d.kind} needs unknown ${n}`);
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
