// The production KubeReader pointed at the test API server, with short recheck and metrics intervals.
import { KubeReader } from '../../src/sources/kubevirt/kube-reader.js';
import { loadKubeConfig } from '../../src/sources/kubevirt/kubeconfig.js';
import { silentLogger } from '../../src/util/log.js';
import type { KubeApiServer } from './kube-api-server.js';
import * as k from './kubevirt-objects.js';

export function testKubeReader(api: KubeApiServer, recheckSeconds = 0.2): KubeReader {
  return new KubeReader(
    {
      kubeconfig: loadKubeConfig(k.writeKubeconfig(api.url)),
      namespace: null,
      recheckSeconds,
      metricsIntervalSeconds: 0.2,
      watchTimeoutSeconds: 60,
      freezeHistorySeconds: 300,
    },
    silentLogger,
  );
}
