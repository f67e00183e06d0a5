// One generated dashboard: its file name and a loader of its builder. Families list theirs lazily because
// the Grafana SDK the builders use is a development dependency that the running exporter never loads.
import type { BundleConfig } from './config.js';

export type DashboardBuilder = (config: BundleConfig) => object;

export interface DashboardDef {
  file: string;
  load(): Promise<DashboardBuilder>;
}
