// The kube source's flags (cluster mode). Kept apart from the source so that declaring them loads no
// Kubernetes client.
// Composed into the full flag table above the layers (src/flags.ts).
import { duration, str, type FlagTable } from '../../config/flag-spec.js';

export const KUBE_FLAGS = {
  'kube.config': str(
    '',
    'cluster mode: kubeconfig file. Empty: $KUBECONFIG, ~/.kube/config, or the in-cluster service account.',
  ),
  'kube.namespace': str('', 'cluster mode: watch only this namespace. Empty: all namespaces.'),
  'kube.recheck-interval': duration(
    '1m',
    'cluster mode: how often a resource whose CRD is not installed (404) is looked for again.',
  ),
  'kube.metrics-interval': duration(
    '30s',
    'cluster mode: how often virt-handler memory is read from metrics.k8s.io (in the background, never on a scrape).',
  ),
  'kube.watch-timeout': duration(
    '5m',
    'cluster mode: the server closes each watch after this long and it is reopened from its resourceVersion.',
  ),
  'kube.freeze-history': duration(
    '5m',
    "cluster mode: how long each VMI's freeze/unfreeze times are kept (for kubevirt_freeze_loop); never shorter " +
      'than --detect.freeze-window.',
  ),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    kubevirt: typeof KUBE_FLAGS;
  }
}
