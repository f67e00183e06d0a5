// kube source (cluster mode): watch caches of KubeVirt VMs and VMIs, kubevirt.io pods, PVCs,
// Harvester VM backups, Longhorn backups and CDI DataVolumes (kube-reader.ts). Loaded only in
// cluster mode (kube-source-meta.ts holds what the registry needs without it).
import type { KubeConfig } from '@kubernetes/client-node';
import type { SourceDefinition } from '../source.js';
import { describeError } from '../../util/fs-errors.js';
import { kubeSourceMeta } from './kube-source-meta.js';
import { loadKubeConfig } from './kubeconfig.js';
import { KubeReader } from './kube-reader.js';

export const kubeSource: SourceDefinition<'kubevirt'> = {
  ...kubeSourceMeta,
  create(config, log, env = {}) {
    let kubeconfig: KubeConfig;
    try {
      kubeconfig = loadKubeConfig(config['kube.config']);
    } catch (e: unknown) {
      // A broken kubeconfig marks this collector down with the reason; it does not stop the exporter.
      const reason = new Error(`kubeconfig ${config['kube.config'] || '(default)'}: ${describeError(e)}`);
      return { collect: () => Promise.reject(reason), close: () => Promise.resolve() };
    }
    const reader = new KubeReader(
      {
        kubeconfig,
        namespace: config['kube.namespace'] || null,
        recheckSeconds: config['kube.recheck-interval'],
        metricsIntervalSeconds: config['kube.metrics-interval'],
        watchTimeoutSeconds: config['kube.watch-timeout'],
        freezeHistorySeconds: config['kube.freeze-history'],
        ...(env.clock ? { clock: env.clock } : {}),
      },
      log,
    );
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
