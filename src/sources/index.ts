// Every source, listed explicitly (a test checks this list against the folder).
import type { SourceDefinition } from './source.js';
import { libvirtSource } from './libvirt/libvirt-source.js';
import { procfsSource } from './procfs/procfs-source.js';
import { kubeSourceMeta } from './kubevirt/kube-source-meta.js';
import { lazySource } from './lazy-source.js';
import { virtHandlerSource } from './virthandler/virthandler-source.js';
import { sysfsSource } from './sysfs/sysfs-source.js';
import { poolsSource } from './pools/pools-source.js';
import { vsphereSource } from './vsphere/vsphere-source.js';
import { hypervSource } from './hyperv/hyperv-source.js';

/** Cluster mode only: its Kubernetes client is not loaded by a node agent. */
const kubeSource = lazySource<'kubevirt'>(
  kubeSourceMeta,
  async () => (await import('./kubevirt/kube-source.js')).kubeSource,
);

export const SOURCES: readonly SourceDefinition[] = [
  libvirtSource,
  procfsSource,
  sysfsSource,
  poolsSource,
  kubeSource,
  virtHandlerSource,
  vsphereSource,
  hypervSource,
] as readonly SourceDefinition[];
