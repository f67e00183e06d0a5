// The full flag table, composed above the layers: the exporter's own flags, every source's flags
// (declared beside it) and every detector's knobs, each name declared once. --help lists them in
// this order: serving, the node agent's sources, collection bounds, the other sources, the
// commands, then the detectors' knobs.
import { COLLECT_FLAGS, COMMAND_FLAGS, SERVE_FLAGS, knob, type Config } from './config/flags.js';
import type { FlagSpec, FlagTable } from './config/flag-spec.js';
import { defaultsOf, helpOf, parseArgsWith, type ParsedArgs } from './config/parse-args.js';
import { DETECTORS } from './catalog/catalog.js';
import { SOURCES } from './families/index.js';
import type { SectionName } from './snapshot/snapshot.js';
import type { AnyDetector } from './detectors/detector.js';

/** Sources whose flags --help lists before the collection bounds (the node agent's roots and sources). */
const LISTED_FIRST: readonly SectionName[] = ['procfs', 'sysfs', 'libvirt', 'pools'];

export const ALL_FLAGS: FlagTable = composeFlags(SOURCES, DETECTORS);

/** Refuses a name declared twice with different specs (a knob shared by several detectors is one spec). */
export function composeFlags(
  sources: ReadonlyArray<{ name: string; flags?: FlagTable | undefined }>,
  detectors: ReadonlyArray<Pick<AnyDetector, 'kind' | 'knobs' | 'grace'>>,
): Record<string, FlagSpec<unknown>> {
  const all: Record<string, FlagSpec<unknown>> = {};
  const add = (owner: string, flags: FlagTable) => {
    for (const [name, spec] of Object.entries(flags)) {
      if (all[name] !== undefined && all[name] !== spec) throw new Error(`${owner}: flag --${name} is declared twice`);
      all[name] = spec;
    }
  };
  const first = LISTED_FIRST.map((name) => sources.find((s) => s.name === name));
  const rest = sources.filter((s) => !first.includes(s));
  add('exporter', SERVE_FLAGS);
  for (const s of first) if (s) add(`source ${s.name}`, s.flags ?? {});
  add('exporter', COLLECT_FLAGS);
  for (const s of rest) add(`source ${s.name}`, s.flags ?? {});
  add('exporter', COMMAND_FLAGS);
  for (const d of detectors) {
    for (const [name, spec] of Object.entries(d.knobs ?? {}) as Array<[string, FlagSpec<number>]>) {
      if (!name.startsWith('detect.')) throw new Error(`${d.kind}: knob ${name} must be a detect.* flag`);
      if (all[name] !== undefined && all[name] !== spec) throw new Error(`${d.kind}: knob --${name} is declared twice`);
      all[name] = spec;
    }
    if (d.grace !== undefined && !(d.grace in (d.knobs ?? {})))
      throw new Error(`${d.kind}: grace ${d.grace} is not one of its knobs`);
  }
  return all;
}

/**
 * What a source must keep for a detector, settled here where both are known: the kube source's
 * freeze history covers the freeze-loop detector's window (a longer --detect.freeze-window raises
 * --kube.freeze-history), so the source never reads a detector's threshold.
 */
function reconcile(config: Config): Config {
  config['kube.freeze-history'] = Math.max(config['kube.freeze-history'], knob(config, 'detect.freeze-window'));
  return config;
}

export function defaultConfig(): Config {
  return reconcile(defaultsOf(ALL_FLAGS));
}

/** Parses argv (without node and script). Throws Error with a message fit for the terminal. */
export function parseArgs(argv: string[], collectorNames: readonly string[]): ParsedArgs {
  const parsed = parseArgsWith(ALL_FLAGS, argv, collectorNames);
  reconcile(parsed.config);
  return parsed;
}

export function flagsHelp(collectors: ReadonlyArray<{ name: string; description: string }>): string {
  return helpOf(ALL_FLAGS, collectors);
}
