// A detection context for detector tables: every knob at its flag default, overridden by flag name.
import type { DetectContext } from '../../src/detectors/detector.js';
import { defaultConfig } from '../../src/flags.js';

export type Knobs = Record<`detect.${string}`, number>;

export function defaultKnobs(): Knobs {
  return Object.fromEntries(Object.entries(defaultConfig()).filter(([k]) => k.startsWith('detect.'))) as Knobs;
}

export function detectContext(now: number, overrides: Partial<Knobs> = {}): DetectContext<string> {
  return { now, options: { ...defaultKnobs(), ...overrides } as Knobs };
}
