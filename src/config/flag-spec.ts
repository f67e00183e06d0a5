// One flag's declaration (type, default, help, parser), and the small constructors the flag table and
// each detector's knobs are written with.
import { parseDuration } from './duration.js';

export type FlagType = 'string' | 'bool' | 'duration' | 'int' | 'number' | 'list';
export interface FlagSpec<T> {
  type: FlagType;
  default: T;
  help: string;
  parse: (raw: string) => T;
}

export const str = (def: string, help: string): FlagSpec<string> => ({
  type: 'string',
  default: def,
  help,
  parse: (r) => r,
});

export function parseBool(r: string): boolean {
  if (['true', '1', 'yes'].includes(r)) return true;
  if (['false', '0', 'no'].includes(r)) return false;
  throw new Error(`expected true or false, got "${r}"`);
}

export const bool = (def: boolean, help: string): FlagSpec<boolean> => ({
  type: 'bool',
  default: def,
  help,
  parse: parseBool,
});
export const duration = (def: string, help: string): FlagSpec<number> => ({
  type: 'duration',
  default: parseDuration(def),
  help,
  parse: parseDuration,
});
export const list = (def: readonly string[], help: string): FlagSpec<string[]> => ({
  type: 'list',
  default: [...def],
  help,
  parse: (r) => [r],
});
export const int = (def: number, help: string): FlagSpec<number> => ({
  type: 'int',
  default: def,
  help,
  parse: (r) => {
    if (!/^\d+$/.test(r)) throw new Error(`expected a whole number, got "${r}"`);
    return Number(r);
  },
});
/** A number with an optional fraction, 0 or more (a percentage, a share). */
export const num = (def: number, help: string): FlagSpec<number> => ({
  type: 'number',
  default: def,
  help,
  parse: (r) => {
    if (!/^\d+(\.\d+)?$/.test(r)) throw new Error(`expected a number such as 0.5, got "${r}"`);
    return Number(r);
  },
});
/** A string that must be one of `choices`. */
export const oneOf = <T extends string>(choices: readonly T[], def: T, help: string): FlagSpec<T> => ({
  type: 'string',
  default: def,
  help,
  parse: (r) => {
    if (!(choices as readonly string[]).includes(r))
      throw new Error(`expected one of ${choices.join(', ')}, got "${r}"`);
    return r as T;
  },
});

/** A detector's knob: a `detect.*` flag holding a number (seconds for durations). */
export type KnobSpec = FlagSpec<number>;

/** A table of flags by name (without the leading --), as a source or the exporter declares them. */
export type FlagTable = Readonly<Record<string, FlagSpec<unknown>>>;
