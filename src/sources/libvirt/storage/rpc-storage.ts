// The storage API over the libvirt source's own RPC connection (pipelined, job-free calls).
import type { LibvirtRpcClient } from '../rpc/client.js';
import { isLibvirtRemoteError } from '../rpc/rpc-error.js';
import {
  listAllStoragePools,
  listAllVolumes,
  poolXmlDesc,
  volumeXmlDesc,
  type WirePool,
  type WireVolume,
} from '../rpc/storage-calls.js';
import { volumeId, type StorageBackend } from './storage-reader.js';

/** VIR_ERR_NO_STORAGE_POOL, VIR_ERR_NO_STORAGE_VOL: it went away between two calls. */
const GONE = new Set([49, 50]);

export class RpcStorage implements StorageBackend {
  constructor(private readonly connected: (signal: AbortSignal) => Promise<LibvirtRpcClient>) {}

  async pools(signal: AbortSignal): Promise<WirePool[]> {
    return listAllStoragePools(await this.connected(signal));
  }

  async volumes(
    pools: readonly WirePool[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, WireVolume[]>> {
    const client = await this.connected(signal);
    return each(
      pools,
      (p) => p.name,
      (p) => listAllVolumes(client, p),
      problems,
    );
  }

  async poolXml(pools: readonly WirePool[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return each(
      pools,
      (p) => p.uuid,
      (p) => poolXmlDesc(client, p),
      problems,
    );
  }

  async volumeXml(vols: readonly WireVolume[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return each(vols, volumeId, (v) => volumeXmlDesc(client, v), problems);
  }
}

async function each<I, T>(
  items: readonly I[],
  id: (item: I) => string,
  call: (item: I) => Promise<T>,
  problems: string[],
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const results = await Promise.allSettled(items.map(call));
  for (const [i, r] of results.entries()) {
    const key = id(items[i] as I);
    if (r.status === 'fulfilled') out.set(key, r.value);
    else if (isLibvirtRemoteError(r.reason)) {
      if (!GONE.has(r.reason.code)) problems.push(`storage ${key.replace('\u0000', ' ')}: ${r.reason.message}`);
    } else throw r.reason;
  }
  return out;
}
