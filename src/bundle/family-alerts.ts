// What a family adds to the alert bundle besides its kinds' alerts: alerts on its own series, the
// thresholds they use (defaults merged into the bundle config) and their promtool cases.
import type { AlertDef } from './alert-def.js';
import type { BundleConfig } from './config.js';
import type { PromtoolTest } from './promtool-series.js';

export interface FamilyAlerts {
  /** Default values of the thresholds this family declares on `FamilyThresholds` (in `config.ts`). */
  defaults: Readonly<Record<string, number>>;
  build(config: BundleConfig): AlertDef[];
  /** Each join, `unless` and threshold with a healthy look-alike that stays silent. */
  cases: readonly PromtoolTest[];
}
