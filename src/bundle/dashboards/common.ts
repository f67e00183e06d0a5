// Panel factories and layout shared by the dashboards: one Prometheus data source variable, the
// cluster / instance variables, queries through the bundle's selector, and grid placement.
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  DashboardCursorSync,
  type GridPos,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { BigValueColorMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { BundleConfig } from '../config.js';
import { sel, type Matchers } from '../query.js';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Matchers every panel query carries besides the job selector: the dashboard's variables. */
export const SCOPE: Matchers = { cluster: '=~$cluster', instance: '=~$instance' };

export function q(config: BundleConfig, metric: string, matchers: Matchers = {}): string {
  return sel(config, metric, { ...SCOPE, ...matchers });
}

/** Places panels left to right in rows of 24 columns. */
export class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  row(): GridPos {
    this.newLine();
    const pos = { x: 0, y: this.y, w: 24, h: 1 };
    this.y += 1;
    return pos;
  }

  next(w: number, h: number): GridPos {
    if (this.x + w > 24) this.newLine();
    const pos = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return pos;
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

export interface Target {
  expr: string;
  legend?: string;
  table?: boolean;
}

function target(t: Target, refId: string): DataqueryBuilder {
  const b = new DataqueryBuilder().datasource(DATASOURCE).expr(t.expr).refId(refId);
  if (t.table) return b.format(PromQueryFormat.Table).instant();
  return b.legendFormat(t.legend ?? '__auto').range();
}

const refIds = (ts: readonly Target[]) => ts.map((t, i) => target(t, String.fromCharCode(65 + i)));

export class Dash {
  readonly builder: DashboardBuilder;
  readonly layout = new Layout();

  constructor(
    config: BundleConfig,
    uid: string,
    title: string,
    description: string,
    extraVariables: QueryVariableBuilder[] = [],
  ) {
    this.builder = new DashboardBuilder(title)
      .uid(uid)
      .description(description)
      .tags(['vmzombie'])
      .time({ from: 'now-24h', to: 'now' })
      .refresh('1m')
      .tooltip(DashboardCursorSync.Crosshair)
      .timezone('browser')
      .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
      .withVariable(variable('cluster', 'Cluster', sel(config, 'vmzombie_build_info')))
      .withVariable(variable('instance', 'Instance', sel(config, 'vmzombie_build_info', { cluster: '=~$cluster' })));
    for (const v of extraVariables) this.builder.withVariable(v);
  }

  row(title: string): this {
    this.builder.withRow(new RowBuilder(title).gridPos(this.layout.row()));
    return this;
  }

  /** A single number; `or vector(0)` is added so "nothing found" reads 0, not "No data". */
  stat(title: string, description: string, expr: string, unit: string, w = 4, h = 4): this {
    this.builder.withPanel(
      new StatPanel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .withTarget(target({ expr: `${expr} or vector(0)`, legend: title }, 'A'))
        .unit(unit)
        .colorMode(BigValueColorMode.Value)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .gridPos(this.layout.next(w, h)),
    );
    return this;
  }

  timeseries(title: string, description: string, targets: Target[], unit: string, w = 12, h = 8): this {
    this.builder.withPanel(
      new TimeseriesPanel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .targets(refIds(targets))
        .unit(unit)
        .fillOpacity(10)
        .gridPos(this.layout.next(w, h)),
    );
    return this;
  }

  /** An instant table; `links` maps a column to a data link URL (Grafana `${__data.fields.x}`). */
  table(
    title: string,
    description: string,
    targets: Target[],
    unit: string,
    links: Record<string, string> = {},
    w = 24,
    h = 8,
  ): this {
    const p = new TablePanel()
      .title(title)
      .description(description)
      .datasource(DATASOURCE)
      .targets(refIds(targets.map((t) => ({ ...t, table: true }))))
      .unit(unit)
      .gridPos(this.layout.next(w, h))
      .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true } } });
    for (const [column, url] of Object.entries(links)) {
      p.overrideByName(column, [{ id: 'links', value: [{ title: 'Runbook', url }] }]);
    }
    this.builder.withPanel(p);
    return this;
  }

  /** The JSON model with every panel numbered (the SDK leaves ids unset). */
  build(): object {
    type Model = { panels?: Array<{ id?: number; panels?: unknown[] }> };
    const model = JSON.parse(JSON.stringify(this.builder.build())) as Model;
    let id = 1;
    for (const p of model.panels ?? []) p.id = id++;
    return model;
  }
}

export function variable(name: string, label: string, metricSelector: string): QueryVariableBuilder {
  const query = `label_values(${metricSelector}, ${name})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** `max by (labels)` over the jobs that may scrape one exporter twice. */
export const dedup = (labels: string, expr: string) => `max by (${labels}) (${expr})`;
