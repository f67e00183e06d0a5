// The slow path: VMs' layoutEx (every file each VM uses, and what each snapshot holds) and one
// SearchDatastoreSubFolders_Task per accessible datastore, polled until done. Runs every
// --vsphere.datastore-scan-interval; the source caches the result in between.
import type { DatastoreScan, VmLayout } from '../../snapshot/vsphere.js';
import type { SoapClient } from './soap-client.js';
import { retrieveFromContainer, retrieveObject, type ObjectContent } from './retrieve.js';
import { child, children, moRef, text, xsiType, type XmlNode } from './xml.js';
import { parseDateTime } from './parse-inventory.js';
import { describeError } from '../../util/fs-errors.js';
import { parseDatastorePath } from '../../util/datastore-path.js';

const EXTENT = /-(flat|delta|sesparse|ctk)\.vmdk$/;

export function parseLayouts(objects: readonly ObjectContent[]): VmLayout[] {
  return objects
    .filter((o) => o.ref.type === 'VirtualMachine')
    .map((o) => {
      const byKey = new Map<string, string>();
      const files = children(o.props.get('layoutEx.file'), 'VirtualMachineFileLayoutExFileInfo').map((f) => {
        const name = text(child(f, 'name'));
        byKey.set(text(child(f, 'key')), name);
        return { name, type: text(child(f, 'type')), sizeBytes: Number(text(child(f, 'size'))) || 0 };
      });
      const snapshotFiles: Record<string, string[]> = {};
      for (const s of children(o.props.get('layoutEx.snapshot'), 'VirtualMachineFileLayoutExSnapshotLayout')) {
        const key = moRef(child(s, 'key'))?.value;
        if (!key) continue;
        const keys = [text(child(s, 'dataKey')), text(child(s, 'memoryKey'))];
        // The top unit of each disk chain is the delta this snapshot froze.
        for (const d of children(s, 'disk')) {
          const chain = children(d, 'chain');
          const top = chain[chain.length - 1];
          keys.push(...children(top, 'fileKey').map((k) => text(k)));
        }
        snapshotFiles[key] = keys.map((k) => byKey.get(k)).filter((n): n is string => n !== undefined);
      }
      // Each disk's chain as descriptor names: of each unit's files, the one that is not an extent
      // (hosts list the descriptor first; the simulator lists the extent first).
      const diskChains = children(o.props.get('layoutEx.disk'), 'VirtualMachineFileLayoutExDiskLayout').map((d) =>
        children(d, 'chain')
          .map((u) => {
            const names = children(u, 'fileKey')
              .map((k) => byKey.get(text(k)))
              .filter((n): n is string => n !== undefined);
            return names.find((n) => !EXTENT.test(n)) ?? names[0];
          })
          .filter((n): n is string => n !== undefined),
      );
      return { vm: o.ref.value, files, snapshotFiles, diskChains };
    });
}

export function readLayouts(client: SoapClient, signal: AbortSignal): Promise<VmLayout[]> {
  return retrieveFromContainer(
    client,
    [{ type: 'VirtualMachine', paths: ['layoutEx.file', 'layoutEx.snapshot', 'layoutEx.disk'] }],
    signal,
  ).then((r) => parseLayouts(r.objects));
}

/** The files of a finished SearchDatastoreSubFolders_Task result, paths relative to the datastore. */
export function parseSearchResults(result: XmlNode | undefined): DatastoreScan['files'] {
  const files: DatastoreScan['files'] = [];
  for (const r of children(result, 'HostDatastoreBrowserSearchResults')) {
    const folder = parseDatastorePath(text(child(r, 'folderPath')));
    if (!folder) continue;
    for (const f of children(r, 'file')) {
      if (xsiType(f) === 'FolderFileInfo') continue;
      const name = text(child(f, 'path'));
      const size = text(child(f, 'fileSize'));
      files.push({
        path: folder.path ? `${folder.path}/${name}` : name,
        sizeBytes: size === '' ? null : Number(size),
        modified: parseDateTime(text(child(f, 'modification'))),
      });
    }
  }
  return files;
}

const SEARCH_SPEC =
  '<searchSpec><details><fileType>true</fileType><fileSize>true</fileSize><modification>true</modification>' +
  '<fileOwner>false</fileOwner></details>' +
  '<matchPattern>*</matchPattern></searchSpec>';

export async function searchDatastore(
  client: SoapClient,
  browser: string,
  datastore: string,
  signal: AbortSignal,
): Promise<DatastoreScan['files']> {
  const res = await client.call(
    'SearchDatastoreSubFolders_Task',
    { type: 'HostDatastoreBrowser', value: browser },
    `<datastorePath>[${escapeName(datastore)}]</datastorePath>${SEARCH_SPEC}`,
    signal,
  );
  const task = moRef(child(res, 'returnval'));
  if (!task) throw new Error('SearchDatastoreSubFolders_Task answered without a task');
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const info = await retrieveObject(client, task, ['info.state', 'info.error', 'info.result'], signal);
    const state = text(info?.props.get('info.state'));
    if (state === 'success') return parseSearchResults(info?.props.get('info.result'));
    if (state === 'error') {
      const err = info?.props.get('info.error');
      throw new Error(
        `search task failed: ${xsiType(child(err, 'fault')) ?? 'fault'} ${text(child(err, 'localizedMessage'))}`.trim(),
      );
    }
    if (!state) throw new Error(`task ${task.value} has no info.state`);
    await sleep(wait, signal);
  }
}

function escapeName(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * vSAN and vVols hold VM homes as objects whose browse paths differ from the names in layoutEx:
 * matching them would report every VM's files. They are not scanned.
 */
const OBJECT_STORES = new Set(['vsan', 'vvol']);

/** Lists every accessible, not excluded datastore one after the other; a failure marks only that datastore. */
export async function scanDatastores(
  client: SoapClient,
  datastores: ReadonlyArray<{ name: string; accessible: boolean; type: string; browser: string | null }>,
  previous: readonly DatastoreScan[],
  exclude: ReadonlySet<string>,
  now: () => number,
  signal: AbortSignal,
): Promise<DatastoreScan[]> {
  const out: DatastoreScan[] = [];
  for (const ds of datastores) {
    if (exclude.has(ds.name) || OBJECT_STORES.has(ds.type.toLowerCase())) continue;
    const before = previous.find((p) => p.datastore === ds.name);
    if (!ds.accessible || !ds.browser) {
      out.push({
        datastore: ds.name,
        scannedAt: before?.scannedAt ?? null,
        error: 'datastore not accessible',
        files: before?.files ?? [],
      });
      continue;
    }
    try {
      const files = await searchDatastore(client, ds.browser, ds.name, signal);
      out.push({ datastore: ds.name, scannedAt: now(), error: null, files });
    } catch (e: unknown) {
      if (signal.aborted) throw e;
      out.push({
        datastore: ds.name,
        scannedAt: before?.scannedAt ?? null,
        error: describeError(e),
        files: before?.files ?? [],
      });
    }
  }
  return out;
}
