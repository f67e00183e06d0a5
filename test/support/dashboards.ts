// Reads the panel queries and variables out of a dashboard's JSON model, and substitutes the
// variables as Grafana would with "All" selected, so the queries can be parsed and run.
export interface PanelQuery {
  where: string;
  title: string;
  expr: string;
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}

export function panels(model: object): Panel[] {
  const top = (model as { panels?: Panel[] }).panels ?? [];
  return top.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function dashboardQueries(model: object): PanelQuery[] {
  return panels(model).flatMap((p) =>
    (p.targets ?? []).map((t, i) => ({
      where: `${p.title ?? p.type} #${i}`,
      title: p.title ?? '',
      expr: t.expr ?? '',
    })),
  );
}

/** `$cluster`, `$instance`, `$vcenter` as "All" (.*), `$__rate_interval` as a fixed window. */
export function substitute(expr: string, rateInterval = '5m', range = '1h'): string {
  return expr
    .replace(/\$__rate_interval/g, rateInterval)
    .replace(/\$__range/g, range)
    .replace(/\$(cluster|instance|vcenter)\b/g, '.*');
}
