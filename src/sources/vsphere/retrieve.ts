// Reads properties of every object of some types in one container view: CreateContainerView, then
// RetrievePropertiesEx, following ContinueRetrievePropertiesEx tokens until the last page, then
// DestroyView. Never one request per object.
import type { MoRef } from '../../snapshot/vsphere.js';
import type { SoapClient } from './soap-client.js';
import { child, children, escapeXml, moRef, moRefXml, text, type XmlNode } from './xml.js';
import { isVsphereFaultError } from './vsphere-fault-error.js';

export interface PropertySpec {
  type: string;
  paths: readonly string[];
}

/** One object of the answer: its reference, the properties that came back, and those that did not. */
export interface ObjectContent {
  ref: MoRef;
  props: Map<string, XmlNode>;
  /** Properties the server could not read for this object, with the fault's type. */
  missing: Array<{ path: string; fault: string }>;
}

export interface RetrieveResult {
  objects: ObjectContent[];
  pages: number;
}

export function propertySpecXml(specs: readonly PropertySpec[]): string {
  return specs
    .map(
      (s) =>
        `<propSet><type>${escapeXml(s.type)}</type>` +
        s.paths.map((p) => `<pathSet>${escapeXml(p)}</pathSet>`).join('') +
        '</propSet>',
    )
    .join('');
}

/** The objects of one RetrieveResult element (a page); `token` is set when more pages follow. */
export function parseRetrieveResult(returnval: XmlNode | undefined): {
  objects: ObjectContent[];
  token: string | null;
} {
  const objects: ObjectContent[] = [];
  for (const oc of children(returnval, 'objects')) {
    const ref = moRef(child(oc, 'obj'));
    if (!ref) continue;
    const props = new Map<string, XmlNode>();
    for (const p of children(oc, 'propSet')) {
      const val = child(p, 'val');
      if (val !== undefined) props.set(text(child(p, 'name')), val);
    }
    const missing = children(oc, 'missingSet').map((m) => {
      const fault = child(child(m, 'fault'), 'fault');
      const xsi = fault && typeof fault === 'object' ? fault['@xsitype'] : undefined;
      return {
        path: text(child(m, 'path')),
        fault: typeof xsi === 'string' ? xsi.slice(xsi.indexOf(':') + 1) : 'unknown',
      };
    });
    objects.push({ ref, props, missing });
  }
  const token = text(child(returnval, 'token'));
  return { objects, token: token || null };
}

export async function retrieveFromContainer(
  client: SoapClient,
  specs: readonly PropertySpec[],
  signal: AbortSignal,
  maxObjects = 1000,
): Promise<RetrieveResult> {
  try {
    return await retrieveThroughView(client, specs, signal, maxObjects);
  } catch (e: unknown) {
    // A view lives in the session that made it: when the session ended mid-collection (expired,
    // or ended by an administrator) the retry after the new login finds the view gone. Once more
    // with a new view.
    if (!isVsphereFaultError(e) || e.fault !== 'ManagedObjectNotFound' || signal.aborted) throw e;
    return retrieveThroughView(client, specs, signal, maxObjects);
  }
}

async function retrieveThroughView(
  client: SoapClient,
  specs: readonly PropertySpec[],
  signal: AbortSignal,
  maxObjects: number,
): Promise<RetrieveResult> {
  const sc = await client.serviceContent(signal);
  const typeXml = specs.map((s) => `<type>${escapeXml(s.type)}</type>`).join('');
  const viewRes = await client.call(
    'CreateContainerView',
    sc.viewManager,
    `${moRefXml('container', sc.rootFolder)}${typeXml}<recursive>true</recursive>`,
    signal,
  );
  const view = moRef(child(viewRes, 'returnval'));
  if (!view) throw new Error('CreateContainerView answered without a view reference');
  try {
    const objectSet =
      `<objectSet>${moRefXml('obj', view)}<skip>true</skip><selectSet xsi:type="TraversalSpec">` +
      '<name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>';
    const args =
      `<specSet>${propertySpecXml(specs)}${objectSet}</specSet>` +
      `<options><maxObjects>${maxObjects}</maxObjects></options>`;
    const first = parseRetrieveResult(
      child(await client.call('RetrievePropertiesEx', sc.propertyCollector, args, signal), 'returnval'),
    );
    const objects = [...first.objects];
    let token = first.token;
    let pages = 1;
    while (token) {
      const next = parseRetrieveResult(
        child(
          await client.call(
            'ContinueRetrievePropertiesEx',
            sc.propertyCollector,
            `<token>${escapeXml(token)}</token>`,
            signal,
          ),
          'returnval',
        ),
      );
      objects.push(...next.objects);
      token = next.token;
      pages++;
    }
    return { objects, pages };
  } finally {
    if (!signal.aborted) await client.call('DestroyView', view, '', signal).catch(() => {});
  }
}

/** Properties of one object (a task), without a view. */
export async function retrieveObject(
  client: SoapClient,
  ref: MoRef,
  paths: readonly string[],
  signal: AbortSignal,
): Promise<ObjectContent | null> {
  const sc = await client.serviceContent(signal);
  const args =
    `<specSet>${propertySpecXml([{ type: ref.type, paths }])}` +
    `<objectSet>${moRefXml('obj', ref)}<skip>false</skip></objectSet></specSet><options></options>`;
  const res = parseRetrieveResult(
    child(await client.call('RetrievePropertiesEx', sc.propertyCollector, args, signal), 'returnval'),
  );
  return res.objects[0] ?? null;
}
