// The dashboards `npm run generate` writes, in the order the README lists them: capacity (every
// family's reclaimable resources) first, then each family's own, then the exporter's.
import { FAMILIES } from '../../families/index.js';
import type { DashboardBuilder, DashboardDef } from '../dashboard-def.js';

const CAPACITY: DashboardDef = {
  file: 'vmzombie-capacity.json',
  load: async () => (await import('./capacity.js')).capacityDashboard,
};
const EXPORTER: DashboardDef = {
  file: 'vmzombie-exporter.json',
  load: async () => (await import('./exporter.js')).exporterDashboard,
};

export const DASHBOARD_DEFS: readonly DashboardDef[] = [CAPACITY, ...FAMILIES.flatMap((f) => f.dashboards), EXPORTER];

/** Every dashboard with its builder loaded (this module is only imported by the generator and tests). */
export const DASHBOARDS: ReadonlyArray<{ file: string; build: DashboardBuilder }> = await Promise.all(
  DASHBOARD_DEFS.map(async (d) => ({ file: d.file, build: await d.load() })),
);
