// The initial lists (and relists) of the watch caches, paged as client-go's reflector pages them.
import type { CoreV1Api, CustomObjectsApi, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { watchNamespace, type ResourceSpec } from './resources.js';

export type List = KubernetesListObject<KubernetesObject>;

/** Page size of the initial lists (and relists). */
export const LIST_PAGE_SIZE = 500;

/** Every object of one watched resource, cluster-wide or in one namespace, page by page. */
export function listResource(
  spec: ResourceSpec,
  namespace: string | null,
  core: CoreV1Api,
  custom: CustomObjectsApi,
  project?: (o: KubernetesObject) => KubernetesObject,
): Promise<List> {
  const sel = spec.labelSelector === undefined ? {} : { labelSelector: spec.labelSelector };
  return listAllPages(async (cont) => {
    const page = await listPage(cont);
    // Trimmed page by page, so a full list of every pod is never held at once.
    return project ? { ...page, items: (page.items ?? []).map(project) } : page;
  });
  function listPage(cont: string | undefined): Promise<List> {
    const paging = { ...sel, limit: LIST_PAGE_SIZE, ...(cont ? { _continue: cont } : {}) };
    if (spec.group === '') {
      if (spec.plural === 'persistentvolumes') return core.listPersistentVolume(paging) as Promise<List>;
      if (spec.plural === 'pods') {
        return (
          namespace ? core.listNamespacedPod({ namespace, ...paging }) : core.listPodForAllNamespaces(paging)
        ) as Promise<List>;
      }
      return (
        namespace
          ? core.listNamespacedPersistentVolumeClaim({ namespace, ...paging })
          : core.listPersistentVolumeClaimForAllNamespaces(paging)
      ) as Promise<List>;
    }
    const base = { group: spec.group, version: spec.version, plural: spec.plural, ...paging };
    const ns = watchNamespace(spec, namespace);
    return (
      ns ? custom.listNamespacedCustomObject({ ...base, namespace: ns }) : custom.listClusterCustomObject(base)
    ) as Promise<List>;
  }
}

/**
 * Follows `continue` tokens until the list is complete. Every page comes from the snapshot of the
 * first, whose resourceVersion the watch starts from. An expired token (410) fails the list, and
 * the cache's retry lists again from the start.
 */
export async function listAllPages(page: (cont: string | undefined) => Promise<List>): Promise<List> {
  const first = await page(undefined);
  const items = [...(first.items ?? [])];
  let cont = continueOf(first);
  for (let pages = 1; cont; pages++) {
    if (pages >= 100000) throw new Error('list did not end after 100000 pages');
    const next = await page(cont);
    items.push(...(next.items ?? []));
    cont = continueOf(next);
  }
  return { ...first, items };
}

/** The typed (core) lists name it `_continue`; raw custom-object lists keep the wire name. */
function continueOf(list: List): string | undefined {
  const md = list.metadata as { _continue?: string; continue?: string } | undefined;
  return md?._continue || md?.continue || undefined;
}
