// Where the cluster agent finds its API server and credentials: --kube.config, else $KUBECONFIG,
// ~/.kube/config or the in-cluster service account (client-node's default order).
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}
