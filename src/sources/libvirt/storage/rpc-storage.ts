// The storage API over the libvirt source's own RPC connection (pipelined, job-free calls).
import type { LibvirtRpcClient } from '../rpc/client.js';
import { callEach, type CallEachErrors } from '../rpc/call-each.js';
import {
  listAllStoragePools,
  listAllVolumes,
  poolXmlDesc,
  volumeXmlDesc,
  type WirePool,
  type WireVolume,
} from '../rpc/storage-calls.js';
import { volumeId, type StorageBackend } from './storage-reader.js';

const ERRORS: CallEachErrors = {
  /** VIR_ERR_NO_STORAGE_POOL, VIR_ERR_NO_STORAGE_VOL: it went away between two calls. */
  gone: new Set([49, 50]),
  describe: (key) => `storage ${key.replace('\u0000', ' ')}`,
};

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
    return callEach(
      pools,
      (p) => p.name,
      (p) => listAllVolumes(client, p),
      ERRORS,
      problems,
    );
  }

  async poolXml(pools: readonly WirePool[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return callEach(
      pools,
      (p) => p.uuid,
      (p) => poolXmlDesc(client, p),
      ERRORS,
      problems,
    );
  }

  async volumeXml(vols: readonly WireVolume[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return callEach(vols, volumeId, (v) => volumeXmlDesc(client, v), ERRORS, problems);
  }
}
