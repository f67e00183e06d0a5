// The dashboard-linter rules that matter, on the generated JSON: a Prometheus data source variable
// that every target uses, variables that exist, refresh on time change and parse, $__rate_interval
// in rate()/increase(), a unit on every panel, unique panel ids, grid positions inside 24 columns.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { DASHBOARDS } from '../../src/bundle/dashboards/index.js';
import { promqlErrors } from '../support/promql.js';
import { dashboardQueries, panels, substitute } from '../support/dashboards.js';

interface Variable {
  type: string;
  name: string;
  query?: string | { query: string };
  refresh?: number;
  datasource?: { uid?: string };
  includeAll?: boolean;
  multi?: boolean;
}
interface Model {
  uid: string;
  title: string;
  templating: { list: Variable[] };
  panels: Array<Record<string, unknown>>;
}
interface PanelJson {
  type: string;
  id?: number;
  title?: string;
  description?: string;
  targets?: unknown[];
  fieldConfig?: {
    defaults?: { unit?: string };
    overrides?: Array<{
      matcher: { options: string };
      properties: Array<{ id: string; value: Array<{ url: string }> }>;
    }>;
  };
  gridPos?: { x: number; y: number; w: number; h: number };
}

const models = DASHBOARDS.map((d) => ({ file: d.file, model: d.build(DEFAULT_CONFIG) as Model }));

describe('dashboards', () => {
  it('six dashboards with fixed, unique uids and titles', () => {
    assert.equal(models.length, 6);
    assert.equal(new Set(models.map((m) => m.model.uid)).size, 6);
    for (const { model } of models) assert.match(model.uid, /^vmzombie-[a-z]+$/);
  });

  for (const { file, model } of models) {
    describe(file, () => {
      const vars = model.templating.list;
      it('has a Prometheus data source variable, cluster and instance variables (multi, All, refreshed)', () => {
        assert.deepEqual(
          vars.filter((v) => v.type === 'datasource').map((v) => [v.name, v.query]),
          [['datasource', 'prometheus']],
        );
        for (const name of ['cluster', 'instance']) {
          const v = vars.find((x) => x.name === name);
          assert.ok(v && v.type === 'query' && v.multi && v.includeAll, name);
        }
        for (const v of vars.filter((x) => x.type === 'query')) {
          assert.equal(v.refresh, 2, `${v.name} refreshes on time range change`);
          assert.equal(v.datasource?.uid, '${datasource}');
          const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
          const m = /^label_values\((.*), (\w+)\)$/.exec(q);
          assert.ok(m, `${v.name}: ${q}`);
          assert.deepEqual(promqlErrors(substitute(m[1] as string)), [], q);
        }
      });

      it('every target uses the data source variable and only variables that exist', () => {
        const names = new Set([...vars.map((v) => v.name), '__rate_interval', '__range']);
        for (const p of panels(model)) {
          for (const t of p.targets ?? []) {
            assert.equal(t.datasource?.uid, '${datasource}', p.title);
            for (const m of (t.expr ?? '').matchAll(/\$(\w+)/g))
              assert.ok(names.has(m[1] as string), `${p.title}: $${m[1]} is no variable`);
          }
        }
      });

      it('rate() and increase() use $__rate_interval (or $__range, for a total over the time picked)', () => {
        for (const q of dashboardQueries(model)) {
          for (const m of q.expr.matchAll(/\b(rate|irate|increase)\([^[]*\[([^\]]+)\]/g)) {
            const overRange = m[1] === 'increase' && m[2] === '$__range';
            assert.ok(m[2] === '$__rate_interval' || overRange, `${q.where}: ${m[0]}`);
          }
        }
      });

      it('every panel but rows has a unit, a description and a target', () => {
        for (const p of panels(model) as PanelJson[]) {
          if (p.type === 'row') continue;
          assert.ok(p.fieldConfig?.defaults?.unit, `${p.title} has a unit`);
          assert.ok(p.description, `${p.title} has a description`);
          assert.ok(p.targets?.length, `${p.title} has a query`);
        }
      });

      it('panel ids are unique and grid positions stay within 24 columns without overlapping', () => {
        const all = panels(model) as PanelJson[];
        const ids = all.map((p) => p.id);
        assert.ok(
          ids.every((id) => typeof id === 'number' && id > 0),
          'every panel has an id',
        );
        assert.equal(new Set(ids).size, ids.length, 'ids are unique');
        const taken = new Set<string>();
        for (const p of all) {
          const g = p.gridPos;
          assert.ok(g && g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${p.title}: ${JSON.stringify(g)}`);
          for (let x = g.x; x < g.x + g.w; x++) {
            for (let y = g.y; y < g.y + g.h; y++) {
              assert.ok(!taken.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
              taken.add(`${x},${y}`);
            }
          }
        }
      });

      it('stats show 0 rather than No data', () => {
        for (const p of panels(model).filter((x) => x.type === 'stat'))
          for (const t of p.targets ?? []) assert.match(t.expr ?? '', / or vector\(0\)$/, p.title);
      });
    });
  }

  it('the capacity review links each finding to its runbook on the exporter', () => {
    const model = models.find((m) => m.file === 'vmzombie-capacity.json')!.model;
    const table = panels(model).find((p) => p.title === 'Findings by age') as unknown as PanelJson;
    const kind = table.fieldConfig?.overrides?.find((o) => o.matcher.options === 'kind');
    const link = kind?.properties.find((p) => p.id === 'links')?.value[0]?.url;
    assert.equal(link, 'http://${__data.fields.instance}/runbooks/${__data.fields.kind}');
  });
});
