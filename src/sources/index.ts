// Every source, listed explicitly (a test checks this list against the folder).
import type { SourceDefinition } from './source.js';
import { libvirtSource } from './libvirt/libvirt-source.js';
import { procfsSource } from './procfs/procfs-source.js';
import { kubeSource } from './kubevirt/kube-source.js';
import { virtHandlerSource } from './virthandler/virthandler-source.js';
import { sysfsSource } from './sysfs/sysfs-source.js';
import { poolsSource } from './pools/pools-source.js';
import { vsphereSource } from './vsphere/vsphere-source.js';

export const SOURCES: readonly SourceDefinition[] = [libvirtSource, procfsSource, sysfsSource, poolsSource, kubeSource, virtHandlerSource, vsphereSource] as readonly SourceDefinition[];
