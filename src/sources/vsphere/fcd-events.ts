// The slow path's two extra reads: the First-Class Disks of each datastore (storage-object manager:
// ListVStorageObject, then RetrieveVStorageObject per disk) and vCenter's event history of power-offs
// and removals (one event collector, read page by page, then destroyed). Both read-only; parsers pure.
import type { Fcd, VmEvent } from '../../snapshot/vsphere.js';
import type { MoRef } from '../../snapshot/vsphere.js';
import type { SoapClient } from './soap-client.js';
import { child, children, escapeXml, moRef, moRefXml, text, xsiType, type XmlNode } from './xml.js';
import { parseDateTime } from './parse-inventory.js';

/** Event types read: who powered a VM off, and who removed or unregistered it. */
export const EVENT_TYPES = ['VmPoweredOffEvent', 'VmRemovedEvent'] as const;
const PAGE = 1000;

/** One RetrieveVStorageObject answer (a VStorageObject) to an FCD record; null when it has no id. */
export function parseVStorageObject(rv: XmlNode | undefined, datastore: string): Fcd | null {
  const config = child(rv, 'config');
  const id = text(child(child(config, 'id'), 'id'));
  if (!id) return null;
  const mb = Number(text(child(config, 'capacityInMB')));
  return {
    id,
    name: text(child(config, 'name')),
    datastore,
    filePath: text(child(child(config, 'backing'), 'filePath')),
    capacityBytes: text(child(config, 'capacityInMB')) !== '' && Number.isFinite(mb) ? mb * 1024 * 1024 : null,
    createTime: parseDateTime(text(child(config, 'createTime'))),
  };
}

/** The FCDs of one datastore. */
export async function listFcds(
  client: SoapClient,
  manager: MoRef,
  datastore: { moid: string; name: string },
  signal: AbortSignal,
): Promise<Fcd[]> {
  const dsXml = moRefXml('datastore', { type: 'Datastore', value: datastore.moid });
  const ids = children(await client.call('ListVStorageObject', manager, dsXml, signal), 'returnval')
    .map((r) => text(child(r, 'id')))
    .filter((id) => id !== '');
  const out: Fcd[] = [];
  for (const id of ids) {
    const res = await client.call(
      'RetrieveVStorageObject',
      manager,
      `<id><id>${escapeXml(id)}</id></id>${dsXml}`,
      signal,
    );
    const fcd = parseVStorageObject(child(res, 'returnval'), datastore.name);
    if (fcd) out.push(fcd);
  }
  return out;
}

/** Events of a ReadNextEvents answer; those without a time or VM are dropped. */
export function parseEvents(res: XmlNode | undefined): VmEvent[] {
  const out: VmEvent[] = [];
  for (const e of children(res, 'returnval')) {
    const time = parseDateTime(text(child(e, 'createdTime')));
    const vmArg = child(e, 'vm');
    const vm = text(child(vmArg, 'name'));
    if (time === null || !vm) continue;
    out.push({
      type: xsiType(e) ?? 'Event',
      time,
      user: text(child(e, 'userName')),
      vm,
      vmMoid: moRef(child(vmArg, 'vm'))?.value ?? null,
    });
  }
  return out;
}

/** Keeps the newest event per type and VM (by moid, else name): the power-off or removal that counts. */
export function newestPerVm(events: readonly VmEvent[]): VmEvent[] {
  const newest = new Map<string, VmEvent>();
  for (const e of events) {
    const k = `${e.type}\u0000${e.vmMoid ?? e.vm}`;
    const had = newest.get(k);
    if (!had || had.time < e.time) newest.set(k, e);
  }
  return [...newest.values()];
}

/** Reads the power-off and removal events vCenter still holds, at most `maxEvents`. */
export async function readVmEvents(
  client: SoapClient,
  manager: MoRef,
  maxEvents: number,
  signal: AbortSignal,
): Promise<VmEvent[]> {
  const types = EVENT_TYPES.map((t) => `<eventTypeId>${t}</eventTypeId>`).join('');
  const filter = `<filter>${types}<maxCount>${PAGE}</maxCount></filter>`;
  const created = await client.call('CreateCollectorForEvents', manager, filter, signal);
  const collector = moRef(child(created, 'returnval'));
  if (!collector) throw new Error('CreateCollectorForEvents answered without a collector');
  const events: VmEvent[] = [];
  try {
    await client.call('RewindCollector', collector, '', signal);
    for (let read = 0; read < maxEvents; read += PAGE) {
      const res = await client.call('ReadNextEvents', collector, `<maxCount>${PAGE}</maxCount>`, signal);
      const page = children(res, 'returnval');
      if (page.length === 0) break;
      events.push(...parseEvents(res));
    }
  } finally {
    // A collector left open counts against the session's limit of 32.
    await client.call('DestroyCollector', collector, '', AbortSignal.timeout(10_000)).catch(() => {});
  }
  return newestPerVm(events);
}
