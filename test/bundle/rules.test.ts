// The generated alert rules: up to date, accepted by promtool (the plain file and the manifest's
// spec), their promtool unit tests pass, names and annotations follow the conventions, templates
// only name labels the expression keeps, and the site knobs of the config reach the rules.
import { describe, it, vi } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { CATALOG, FINDING_KINDS } from '../../src/catalog/catalog.js';
import { buildAlerts } from '../../src/bundle/alerts.js';
import { DEFAULT_CONFIG, validateConfig, type BundleConfig } from '../../src/bundle/config.js';
import { bundleFiles } from '../../src/bundle/generate.js';
import { ruleGroups, type RuleGroup } from '../../src/bundle/rules.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { ROOT, generatedRules } from '../support/bundle-files.js';
import { templateLabels, humanizeDuration, humanize, humanize1024, renderTemplate } from '../../src/bundle/template.js';

// promtool checks and tests every rule: about five CPU-seconds for the whole `test rules` run.
// Their wall time grows with the machine's load: a 2-core machine shared at a load of 12 per core
// stretches it past the 30 s default. The timeout only catches a hang.
vi.setConfig({ testTimeout: 120_000 });

const noPromtool = skipWithout('promtool', missingCommands('promtool'));

describe('generated rules', () => {
  it('the committed files are what npm run generate writes', async () => {
    for (const [rel, content] of bundleFiles()) {
      assert.equal(await readFile(path.join(ROOT, rel), 'utf8'), content, `${rel} is stale: run npm run generate`);
    }
  });

  it.skipIf(noPromtool)('promtool check rules accepts the rules file and the PrometheusRule spec', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmzombie-rules-'));
    try {
      type Manifest = { kind: string; spec: { groups: RuleGroup[] } };
      const manifest = parse(
        await readFile(path.join(ROOT, 'alerts/vmzombie.prometheusrule.yaml'), 'utf8'),
      ) as Manifest;
      assert.equal(manifest.kind, 'PrometheusRule');
      const plain = await generatedRules();
      assert.deepEqual(manifest.spec.groups, plain.groups, 'the manifest carries the same groups');
      await writeFile(path.join(dir, 'spec.yaml'), JSON.stringify(manifest.spec));
      const r = await execa(
        'promtool',
        ['check', 'rules', path.join(ROOT, 'alerts/vmzombie.rules.yaml'), path.join(dir, 'spec.yaml')],
        { reject: false },
      );
      assert.equal(r.exitCode, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${buildAlerts(DEFAULT_CONFIG).length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(noPromtool)('promtool test rules passes every generated and hand-written case', async () => {
    const tests = (await readdir(path.join(ROOT, 'alerts/tests')))
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => path.join(ROOT, 'alerts/tests', n));
    assert.ok(tests.length >= 2);
    const r = await execa('promtool', ['test', 'rules', ...tests], { reject: false });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  });

  it.skipIf(noPromtool)('promtool test rules fails when an expected annotation is wrong', async () => {
    const dir = await mkdtemp(path.join(ROOT, 'alerts/tests/.tmp-'));
    try {
      const text = (await readFile(path.join(ROOT, 'alerts/tests/kinds.yaml'), 'utf8')).replace(
        '../vmzombie.rules.yaml',
        '../../vmzombie.rules.yaml',
      );
      const broken = text.replace(/seen for 5m 0s\./, 'seen for 4m 0s.');
      assert.notEqual(broken, text);
      await writeFile(path.join(dir, 'broken.yaml'), broken);
      const r = await execa('promtool', ['test', 'rules', path.join(dir, 'broken.yaml')], { reject: false });
      assert.notEqual(r.exitCode, 0);
      assert.match(r.stdout + r.stderr, /seen for 5m 0s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every rules group has a promtool case per alert', async () => {
    const tested = new Set<string>();
    for (const n of await readdir(path.join(ROOT, 'alerts/tests'))) {
      if (!n.endsWith('.yaml')) continue;
      type TestFile = { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
      const doc = parse(await readFile(path.join(ROOT, 'alerts/tests', n), 'utf8')) as TestFile;
      for (const t of doc.tests) for (const c of t.alert_rule_test) if (c.exp_alerts.length) tested.add(c.alertname);
    }
    assert.deepEqual(
      [...tested].sort(),
      buildAlerts(DEFAULT_CONFIG)
        .map((a) => a.name)
        .sort(),
    );
  });
});

describe('alert conventions', () => {
  const alerts = buildAlerts(DEFAULT_CONFIG);

  it('one alert per finding kind, names unique, PascalCase VMZombie… of at most 50 characters', () => {
    assert.deepEqual(
      alerts.filter((a) => a.kind).map((a) => a.kind),
      FINDING_KINDS,
    );
    assert.equal(new Set(alerts.map((a) => a.name)).size, alerts.length);
    for (const a of alerts) {
      assert.match(a.name, /^VMZombie([A-Z][a-z0-9]*|VM|VMI|OOM)+$/, a.name);
      assert.ok(a.name.length <= 50, a.name);
    }
  });

  it('severity, for, summary, description and runbook_url on every rule', () => {
    for (const g of ruleGroups(DEFAULT_CONFIG, alerts)) {
      assert.match(g.name, /^vmzombie-(exporter|libvirt|host|kubevirt|vsphere|hyperv)$/);
      for (const r of g.rules) {
        assert.ok(['critical', 'warning', 'info'].includes(r.labels.severity as string), r.alert);
        assert.ok(r.annotations.summary.length > 10 && r.annotations.description.length > 40, r.alert);
        // An alert judged for the fleet has no instance: its link names the first host that looked.
        const instance = alerts.find((a) => a.name === r.alert)?.runbookInstance ?? '{{ $labels.instance }}';
        assert.equal(r.annotations.runbook_url, `http://${instance}/runbooks/${r.alert}`);
        if (r.for !== undefined) assert.match(r.for, /^\d+[smh]$/);
      }
    }
  });

  it('kind alerts keep the catalog severity and for', () => {
    for (const a of alerts.filter((x) => x.kind)) {
      const spec = CATALOG[a.kind!];
      assert.deepEqual([a.severity, a.for, a.summary], [spec.alert.severity, spec.alert.for, spec.alert.summary]);
    }
  });

  it('templates name only labels the expression keeps (an unknown $labels.x renders empty without error)', () => {
    for (const a of alerts) {
      for (const t of [a.summary, a.description]) {
        for (const l of templateLabels(t))
          assert.ok(
            a.resultLabels.includes(l),
            `${a.name}: $labels.${l} is not a label of its result (${a.resultLabels.join(', ')})`,
          );
        renderTemplate(t, {}, 60);
      }
    }
  });

  it("every result label is kept by the expression's aggregation", () => {
    for (const a of alerts) {
      const groupings = [...a.expr.matchAll(/max by \(([^)]*)\)/g)].map((m) => (m[1] as string).split(', '));
      assert.ok(groupings.length > 0, `${a.name} aggregates with max by`);
      // Labels a join copies from its other side (group_left (x)) are kept by that side.
      const copied = [...a.expr.matchAll(/group_left \(([^)]+)\)/g)].flatMap((m) => (m[1] as string).split(', '));
      const own = a.resultLabels.filter((l) => !copied.includes(l));
      assert.ok(
        groupings.some((g) => own.every((l) => g.includes(l))),
        `${a.name}: ${a.resultLabels.join(', ')}`,
      );
    }
  });
});

describe('bundle config', () => {
  const site: BundleConfig = {
    ...DEFAULT_CONFIG,
    selector: 'job="kvm-exporter"',
    runbookUrlTemplate: 'https://wiki.example/runbooks/%s.html',
    severityOverrides: { VMZombieOrphanImage: 'warning' },
    extraLabels: { team: 'virt' },
  };

  it('selector, runbook URL, severity overrides and extra labels reach every rule', () => {
    for (const g of ruleGroups(site, buildAlerts(site))) {
      for (const r of g.rules) {
        assert.ok(r.expr.includes('job="kvm-exporter"') && !r.expr.includes('vmzombie.*'), r.alert);
        assert.equal(r.annotations.runbook_url, `https://wiki.example/runbooks/${r.alert}.html`);
        assert.equal(r.labels.team, 'virt');
        if (r.alert === 'VMZombieOrphanImage') assert.equal(r.labels.severity, 'warning');
      }
    }
  });

  it('refuses a runbook template without exactly one %s, a bad selector or label', () => {
    assert.throws(
      () => validateConfig({ ...DEFAULT_CONFIG, runbookUrlTemplate: 'https://wiki.example/runbooks' }),
      /exactly one %s/,
    );
    assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, runbookUrlTemplate: '%s/%s' }), /exactly one %s/);
    assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, selector: 'vmzombie' }), /label matchers/);
    assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, extraLabels: { severity: 'x' } }), /set by the rules/);
    assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, extraLabels: { 'bad-name': 'x' } }), /not a label name/);
  });
});

describe('template rendering matches Prometheus', () => {
  it('humanizeDuration, humanize and humanize1024 as Prometheus prints them', () => {
    assert.deepEqual([0, 1, 59, 60, 300, 3600, 3960, 90061, 11740].map(humanizeDuration), [
      '0s',
      '1s',
      '59s',
      '1m 0s',
      '5m 0s',
      '1h 0m 0s',
      '1h 6m 0s',
      '1d 1h 1m 1s',
      '3h 15m 40s',
    ]);
    assert.deepEqual([0, 12, 1234, 1500000].map(humanize), ['0', '12', '1.234k', '1.5M']);
    assert.deepEqual([1024, 440401920].map(humanize1024), ['1ki', '420Mi']);
    assert.equal(renderTemplate('{{ $labels.a }}{{ with $labels.c }} ({{ . }}){{ end }}', { a: 'x' }, 0), 'x');
    assert.equal(
      renderTemplate('{{ $labels.a }}{{ with $labels.c }} ({{ . }}){{ end }}', { a: 'x', c: 'y' }, 0),
      'x (y)',
    );
    assert.throws(() => renderTemplate('{{ $value | printf "%.2f" }}', {}, 1), /not supported/);
  });
});
