// What the registry needs to know about the kubevirt source without loading it: its client library
// (@kubernetes/client-node, ~70 MB of RSS) is cluster-only, so a node agent never imports it.
import type { Config } from '../../config/flags.js';
import { KUBE_FLAGS } from './flags.js';

export const kubeSourceMeta = {
  name: 'kubevirt',
  description: 'KubeVirt/Harvester objects through watch caches of the Kubernetes API (--mode=cluster)',
  flags: KUBE_FLAGS,
  enabledByDefault: (config: Config) => config.mode === 'cluster',
} as const;
