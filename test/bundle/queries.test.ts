// Every PromQL expression of the rules and dashboards parses with Prometheus' own grammar, names
// only metrics the exporter really registers (read from its registry), and selects through the
// bundle's job selector.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { buildAlerts } from '../../src/bundle/alerts.js';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { DASHBOARDS } from '../../src/bundle/dashboards/index.js';
import { registeredMetricNames } from '../../src/bundle/registered-metrics.js';
import { FINDING_KINDS } from '../../src/catalog/catalog.js';
import { promqlErrors, selectors } from '../support/promql.js';
import { dashboardQueries, substitute } from '../support/dashboards.js';

const JOB = DEFAULT_CONFIG.selector;

function allExpressions(): Array<{ where: string; expr: string }> {
  const rules = buildAlerts(DEFAULT_CONFIG).map((a) => ({ where: a.name, expr: a.expr }));
  const panels = DASHBOARDS.flatMap((d) =>
    dashboardQueries(d.build(DEFAULT_CONFIG)).map((q) => ({
      where: `${d.file}: ${q.where}`,
      expr: substitute(q.expr),
    })),
  );
  return [...rules, ...panels];
}

describe('every query is real', () => {
  it('parses', () => {
    for (const { where, expr } of allExpressions()) assert.deepEqual(promqlErrors(expr), [], `${where}: ${expr}`);
  });

  it('the checker itself rejects broken PromQL and finds metric names', () => {
    assert.notDeepEqual(promqlErrors('max by (a (foo)'), []);
    assert.notDeepEqual(promqlErrors('rate(foo[5m]'), []);
    assert.deepEqual(
      selectors('sum(rate(a{x="1"}[1m])) / on (y) b unless c').map((s) => s.metric),
      ['a', 'b', 'c'],
    );
  });

  it('names only metrics the exporter registers', async () => {
    const registered = await registeredMetricNames();
    assert.ok(registered.has('vmzombie_finding_age_seconds') && registered.has('vmzombie_kubevirt_backup_target_info'));
    const used = new Set<string>();
    for (const { where, expr } of allExpressions()) {
      for (const s of selectors(expr)) {
        assert.ok(registered.has(s.metric), `${where}: ${s.metric} is not registered by the exporter`);
        used.add(s.metric);
      }
    }
    assert.ok(used.size >= 30, `${used.size} metrics used`);
  });

  it('every selector carries the job selector, and every kind matcher names a real kind', () => {
    for (const { where, expr } of allExpressions()) {
      for (const s of selectors(expr)) {
        assert.ok(s.matchers.includes(JOB), `${where}: ${s.metric}{${s.matchers}} lacks ${JOB}`);
        const kind = /kind="([^"]+)"/.exec(s.matchers)?.[1];
        if (kind) assert.ok((FINDING_KINDS as string[]).includes(kind), `${where}: kind ${kind}`);
        const kinds = /kind=~"([^"]+)"/.exec(s.matchers)?.[1];
        if (kinds && !kinds.includes('.*'))
          for (const k of kinds.split('|')) assert.ok((FINDING_KINDS as string[]).includes(k), `${where}: kind ${k}`);
      }
    }
  });
});
