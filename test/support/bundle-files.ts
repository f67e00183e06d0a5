// The committed bundle files, read back for tests: the generated rules, and the copy with every
// `for:` cut to 1s that end-to-end tests load into a real Prometheus.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { RuleGroup } from '../../src/bundle/rules.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function generatedRules(file = 'alerts/vmzombie.rules.yaml'): Promise<{ groups: RuleGroup[] }> {
  return parse(await readFile(path.join(ROOT, file), 'utf8')) as { groups: RuleGroup[] };
}

/** The generated rules as a rules file whose alerts fire 1s after their condition holds. */
export async function rulesWithShortFor(): Promise<string> {
  const rules = await generatedRules();
  for (const g of rules.groups) for (const r of g.rules) r.for = '1s';
  return stringify(rules);
}
