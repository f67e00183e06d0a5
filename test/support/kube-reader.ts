// The production KubeReader pointed at the test API server, with short recheck and metrics intervals.
import { KubeReader, loadKubeConfig } from '../../src/sources/kubevirt/kube-source.js';
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
      freezeWindowSeconds: 300,
    },
    silentLogger,
  );
}
