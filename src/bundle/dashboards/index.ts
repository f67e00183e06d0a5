// The dashboards `npm run generate` writes, in the order they are listed in the README.
import type { BundleConfig } from '../config.js';

export interface DashboardDef {
  file: string;
  build(config: BundleConfig): object;
}

export const DASHBOARDS: readonly DashboardDef[] = [];
