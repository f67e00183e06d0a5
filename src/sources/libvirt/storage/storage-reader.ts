// Incremental read of libvirt's storage: every collection lists the pools and each pool's volumes
// (one call per pool); pool and volume XML is fetched only for what is new or whose turn it is in a
// rolling refresh, so 10 000 unchanged volumes cost 50 list calls, not 10 000 XML calls.
import type { LibvirtStorage, StoragePool, StorageVolume } from '../../../snapshot/libvirt-storage.js';
import type { WirePool, WireVolume } from '../rpc/storage-calls.js';
import { parseStoragePoolXml, parseStorageVolumeXml } from './parse-storage-xml.js';

/** What a transport (RPC or virsh) offers for storage; a pool or volume that vanished is left out. */
export interface StorageBackend {
  pools(signal: AbortSignal, problems: string[]): Promise<WirePool[]>;
  volumes(pools: readonly WirePool[], signal: AbortSignal, problems: string[]): Promise<Map<string, WireVolume[]>>;
  poolXml(pools: readonly WirePool[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>>;
  volumeXml(vols: readonly WireVolume[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>>;
}

interface Cached<T> {
  value: T;
  turn: number;
}

const volumeId = (v: { pool: string; key: string }) => `${v.pool}\u0000${v.key}`;

export class StorageReader {
  private readonly pools = new Map<string, Cached<StoragePool>>();
  private readonly volumes = new Map<string, Cached<StorageVolume>>();
  private collection = 0;
  private nextTurn = 0;

  /** Every pool and volume XML is fetched again at least this often (collections). */
  constructor(private readonly refreshCollections: number) {}

  /** After a reconnect, everything is fetched again. */
  invalidateAll(): void {
    this.pools.clear();
    this.volumes.clear();
  }

  private due(turn: number | undefined): boolean {
    return turn === undefined || (turn + this.collection) % this.refreshCollections === 0;
  }

  async read(backend: StorageBackend, signal: AbortSignal, problems: string[]): Promise<LibvirtStorage> {
    this.collection++;
    const listed = await backend.pools(signal, problems);
    const duePools = listed.filter((p) => this.due(this.pools.get(p.uuid)?.turn));
    // One after the other: a virsh shell runs one batch at a time.
    const poolTexts = await backend.poolXml(duePools, signal, problems);
    const byPool = await backend.volumes(listed, signal, problems);
    for (const p of duePools) {
      const xml = poolTexts.get(p.uuid);
      if (xml === undefined) continue;
      try {
        this.pools.set(p.uuid, {
          value: parseStoragePoolXml(xml, p.uuid),
          turn: this.pools.get(p.uuid)?.turn ?? this.nextTurn++,
        });
      } catch (e: unknown) {
        problems.push(`storage pool ${p.name}: ${(e as Error).message}`);
      }
    }
    const all = [...byPool.values()].flat();
    const dueVols = all.filter((v) => this.due(this.volumes.get(volumeId(v))?.turn));
    const volTexts = await backend.volumeXml(dueVols, signal, problems);
    for (const v of dueVols) {
      const xml = volTexts.get(volumeId(v));
      if (xml === undefined) continue;
      try {
        const id = volumeId(v);
        this.volumes.set(id, {
          value: parseStorageVolumeXml(xml, v.pool, v.key),
          turn: this.volumes.get(id)?.turn ?? this.nextTurn++,
        });
      } catch (e: unknown) {
        problems.push(`storage volume ${v.pool}/${v.name}: ${(e as Error).message}`);
      }
    }
    const livePools = new Set(listed.map((p) => p.uuid));
    for (const uuid of this.pools.keys()) if (!livePools.has(uuid)) this.pools.delete(uuid);
    const liveVols = new Set(all.map(volumeId));
    for (const id of this.volumes.keys()) if (!liveVols.has(id)) this.volumes.delete(id);
    return {
      pools: listed.flatMap((p) => this.pools.get(p.uuid)?.value ?? []),
      volumes: all.flatMap((v) => this.volumes.get(volumeId(v))?.value ?? []),
    };
  }
}

export { volumeId };
