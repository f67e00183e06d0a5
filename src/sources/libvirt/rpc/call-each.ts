// One libvirt call per item (pools, volumes, networks, bindings), issued together on the pipelined
// connection: an item that went away between the list and the call is dropped quietly, another
// libvirt error becomes a problem naming the item, and a broken connection fails the whole read.
import { isLibvirtRemoteError } from './rpc-error.js';

export interface CallEachErrors {
  /** libvirt error codes meaning the item is gone (VIR_ERR_NO_STORAGE_POOL and the like): dropped quietly. */
  gone: ReadonlySet<number>;
  /** Codes that fail the whole read (the driver has no such call at all): the caller says it cannot judge. */
  fatal?: ReadonlySet<number>;
  /** How a problem names the item whose key this is. */
  describe: (key: string) => string;
}

export async function callEach<I, T>(
  items: readonly I[],
  id: (item: I) => string,
  call: (item: I) => Promise<T>,
  errors: CallEachErrors,
  problems: string[],
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const results = await Promise.allSettled(items.map(call));
  for (const [i, r] of results.entries()) {
    const key = id(items[i] as I);
    if (r.status === 'fulfilled') out.set(key, r.value);
    else if (!isLibvirtRemoteError(r.reason) || errors.fatal?.has(r.reason.code)) throw r.reason;
    else if (!errors.gone.has(r.reason.code)) problems.push(`${errors.describe(key)}: ${r.reason.message}`);
  }
  return out;
}
