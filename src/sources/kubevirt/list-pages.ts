// The initial lists (and relists) of the watch caches, paged as client-go's reflector pages them. A page is
// fetched through @kubernetes/client-node's own request path (its RequestContext, the kubeconfig's
// authentication and TLS, its fetch library, as its generated APIs send a request) and read as plain JSON,
// the form the watch delivers: the generated core-API calls would turn every pod and PVC into typed model
// objects first, most of the CPU of the initial lists at 10 000 VMs, only for the cache entry to drop them.
import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { listHeapGrowth } from '../../util/heap-growth.js';
import { resourcePath, type ResourceSpec } from './resources.js';

export type List = KubernetesListObject<KubernetesObject>;

/** Page size of the initial lists (and relists). */
export const LIST_PAGE_SIZE = 500;

const http = new IsomorphicFetchHttpLibrary();

/** Every object of one watched resource, cluster-wide or in one namespace, page by page. */
export function listResource(
  spec: ResourceSpec,
  namespace: string | null,
  kc: KubeConfig,
  project?: (o: KubernetesObject) => KubernetesObject,
): Promise<List> {
  const path = resourcePath(spec, namespace);
  // The pages' garbage is collected before the heap triples (src/util/heap-growth.ts).
  const release = listHeapGrowth.hold();
  return listAllPages(async (cont) => {
    const page = await getPage(kc, path, {
      ...(spec.labelSelector === undefined ? {} : { labelSelector: spec.labelSelector }),
      limit: String(LIST_PAGE_SIZE),
      ...(cont ? { continue: cont } : {}),
    });
    // Trimmed page by page, so a full list of every pod is never held at once.
    return project ? { ...page, items: (page.items ?? []).map(project) } : page;
  }).finally(release);
}

/**
 * One GET of a list; a status other than 2xx is an ApiException with the code and the body as sent, as the
 * generated calls throw (describeKubeError reads the Status message out of it).
 */
async function getPage(kc: KubeConfig, path: string, query: Record<string, string>): Promise<List> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No currently active cluster');
  const request = new RequestContext(server + path, HttpMethod.GET);
  for (const [name, value] of Object.entries(query)) request.setQueryParam(name, value);
  request.setHeaderParam('Accept', 'application/json');
  await kc.applySecurityAuthentication(request);
  const response = await http.send(request).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
    throw new ApiException(response.httpStatusCode, `list ${path}`, text, response.headers);
  const list = JSON.parse(text) as unknown;
  if (typeof list !== 'object' || list === null || !Array.isArray((list as { items?: unknown }).items))
    throw new Error(`list ${path}: the answer is not a list`);
  return list as List;
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

function continueOf(list: List): string | undefined {
  return (list.metadata as { continue?: string } | undefined)?.continue || undefined;
}
