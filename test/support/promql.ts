// PromQL checks with the Prometheus project's own grammar (@prometheus-io/lezer-promql): syntax
// errors, the metric names an expression selects and the matchers of each selector.
import { parser } from '@prometheus-io/lezer-promql';

export interface Selector {
  metric: string;
  matchers: string;
}

/** Syntax errors (lezer marks them with error nodes; it never throws). */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`error at ${node.from}: "${expr.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
      }
    },
  });
  return errors;
}

/** Every vector selector: its metric name and the text of its label matchers. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      const m = node.node.getChild('LabelMatchers');
      out.push({ metric: id ? expr.slice(id.from, id.to) : '', matchers: m ? expr.slice(m.from, m.to) : '' });
    },
  });
  return out;
}
