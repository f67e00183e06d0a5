// Every per-source metrics writer, listed explicitly.
import type { SectionMetricsFactory } from './section-metrics.js';
import { libvirtMetrics } from './libvirt-metrics.js';
import { kubeMetrics } from './kube-metrics.js';
import { storageMetrics } from './storage-metrics.js';
import { deviceMetrics } from './device-metrics.js';
import { vsphereMetrics } from './vsphere-metrics.js';
import { sharedStorageMetrics } from './shared-storage-metrics.js';

export const SECTION_METRICS: readonly SectionMetricsFactory[] = [
  libvirtMetrics,
  storageMetrics,
  sharedStorageMetrics,
  deviceMetrics,
  kubeMetrics,
  vsphereMetrics,
];
