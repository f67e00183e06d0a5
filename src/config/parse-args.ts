// The parser and --help of a flag table: --flag value / --flag=value, booleans and --no-flag,
// repeatable lists, --collector.X / --no-collector.X. Generic over the table, which src/flags.ts composes.
import { formatDuration } from './duration.js';
import { parseBool, type FlagTable } from './flag-spec.js';
import type { Config } from './flags.js';

/** Every flag of `table` at its default. */
export function defaultsOf(table: FlagTable): Config {
  const config = { collectors: {} } as Record<string, unknown>;
  for (const [name, spec] of Object.entries(table)) {
    config[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return config as Config;
}

export interface ParsedArgs {
  command: string | null;
  config: Config;
  help: boolean;
  rest: string[];
}

/** Parses argv (without node and script) against `table`. Throws Error with a message fit for the terminal. */
export function parseArgsWith(table: FlagTable, argv: string[], collectorNames: readonly string[]): ParsedArgs {
  const config = defaultsOf(table) as Config & Record<string, unknown>;
  const explicitLists = new Set<string>();
  let command: string | null = null;
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (command === null) command = arg;
      else rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const collector = /^(no-)?collector\.(.+)$/.exec(name);
    if (collector && collectorNames.includes(collector[2] as string)) {
      const on = value === undefined ? true : parseFlagValue(name, parseBool, value);
      config.collectors[collector[2] as string] = collector[1] ? !on : on;
      continue;
    }
    let negated = false;
    if (!(name in table) && name.startsWith('no-') && name.slice(3) in table) {
      negated = true;
      name = name.slice(3);
    }
    const spec = table[name];
    if (!spec) throw new Error(`unknown flag --${name} (see --help)`);
    if (spec.type === 'bool') {
      const on = value === undefined ? true : (parseFlagValue(name, spec.parse, value) as boolean);
      config[name] = negated ? !on : on;
      continue;
    }
    if (negated) throw new Error(`--no-${name} only applies to true/false flags`);
    if (value === undefined) {
      value = argv[++i];
      // "--path.procfs --no-collector.libvirt" is a forgotten value, not a path named like a flag
      // (write --flag=--value for that).
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    }
    const parsed = parseFlagValue(name, spec.parse, value);
    if (spec.type === 'list') {
      const previous = explicitLists.has(name) ? (config[name] as string[]) : [];
      explicitLists.add(name);
      config[name] = [...previous, ...(parsed as string[])];
    } else {
      config[name] = parsed;
    }
  }
  return { command, config, help, rest };
}

function parseFlagValue<T>(name: string, parse: (raw: string) => T, raw: string): T {
  try {
    return parse(raw);
  } catch (e: unknown) {
    throw new Error(`--${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** --help: every flag of `table` in its order, then the collectors. */
export function helpOf(table: FlagTable, collectors: ReadonlyArray<{ name: string; description: string }>): string {
  const lines: string[] = ['Flags:'];
  for (const [name, spec] of Object.entries(table)) {
    const def =
      spec.type === 'duration'
        ? formatDuration(spec.default as number)
        : Array.isArray(spec.default)
          ? spec.default.length
            ? spec.default.join(', ')
            : '(none)'
          : String(spec.default);
    const repeat = spec.type === 'list' ? ' (repeatable)' : '';
    lines.push(`  --${name}${spec.type === 'bool' ? '' : '=<' + spec.type + '>'}`);
    lines.push(`      ${spec.help}${repeat} Default: ${def}`);
  }
  lines.push('', 'Collectors (enable with --collector.<name>, disable with --no-collector.<name>):');
  for (const c of collectors) lines.push(`  ${c.name.padEnd(10)} ${c.description}`);
  return lines.join('\n');
}
