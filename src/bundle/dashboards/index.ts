// The dashboards `npm run generate` writes, in the order they are listed in the README.
import type { BundleConfig } from '../config.js';
import { capacityDashboard } from './capacity.js';
import { hypervisorDashboard } from './hypervisor.js';
import { kubevirtDashboard } from './kubevirt.js';
import { vsphereDashboard } from './vsphere.js';
import { hypervDashboard } from './hyperv.js';
import { exporterDashboard } from './exporter.js';

export interface DashboardDef {
  file: string;
  build(config: BundleConfig): object;
}

export const DASHBOARDS: readonly DashboardDef[] = [
  { file: 'vmzombie-capacity.json', build: capacityDashboard },
  { file: 'vmzombie-hypervisor.json', build: hypervisorDashboard },
  { file: 'vmzombie-kubevirt.json', build: kubevirtDashboard },
  { file: 'vmzombie-vsphere.json', build: vsphereDashboard },
  { file: 'vmzombie-hyperv.json', build: hypervDashboard },
  { file: 'vmzombie-exporter.json', build: exporterDashboard },
];
