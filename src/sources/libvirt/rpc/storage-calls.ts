// libvirt's storage API over the RPC client: list every pool, every volume of a pool, and the XML of
// each. All four are read-only and job-free (they answer from the storage driver's in-memory objects;
// nothing here refreshes a pool or asks a backend like LVM or Ceph).
import type { LibvirtRpcClient } from './client.js';
import { XdrError, type XdrReader, XdrWriter } from './xdr.js';

export const StorageProc = {
  STORAGE_POOL_GET_XML_DESC: 88,
  STORAGE_VOL_GET_XML_DESC: 99,
  CONNECT_LIST_ALL_STORAGE_POOLS: 281,
  STORAGE_POOL_LIST_ALL_VOLUMES: 282,
} as const;

/** remote_nonnull_storage_pool. */
export interface WirePool {
  name: string;
  uuid: string;
}

/** remote_nonnull_storage_vol: pool name, volume name, key (a path, an LV uuid, `pool/image` for RBD). */
export interface WireVolume {
  pool: string;
  name: string;
  key: string;
}

function readPool(r: XdrReader): WirePool {
  const name = r.string();
  const raw = r.fixedOpaque(16).toString('hex');
  return {
    name,
    uuid: `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`,
  };
}

function writePool(w: XdrWriter, p: WirePool): XdrWriter {
  const hex = p.uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new XdrError(`not a uuid: ${p.uuid}`);
  return w.string(p.name).fixedOpaque(Buffer.from(hex, 'hex'));
}

function readVolume(r: XdrReader): WireVolume {
  return { pool: r.string(), name: r.string(), key: r.string() };
}

export function listAllStoragePools(client: LibvirtRpcClient): Promise<WirePool[]> {
  return client.call(
    StorageProc.CONNECT_LIST_ALL_STORAGE_POOLS,
    'CONNECT_LIST_ALL_STORAGE_POOLS',
    new XdrWriter().int(1).uint(0).bytes(),
    (r) => {
      const pools = r.array(() => readPool(r));
      r.uint();
      return pools;
    },
  );
}

export function listAllVolumes(client: LibvirtRpcClient, pool: WirePool): Promise<WireVolume[]> {
  return client.call(
    StorageProc.STORAGE_POOL_LIST_ALL_VOLUMES,
    'STORAGE_POOL_LIST_ALL_VOLUMES',
    writePool(new XdrWriter(), pool).int(1).uint(0).bytes(),
    (r) => {
      const vols = r.array(() => readVolume(r));
      r.uint();
      return vols;
    },
  );
}

export function poolXmlDesc(client: LibvirtRpcClient, pool: WirePool): Promise<string> {
  return client.call(
    StorageProc.STORAGE_POOL_GET_XML_DESC,
    'STORAGE_POOL_GET_XML_DESC',
    writePool(new XdrWriter(), pool).uint(0).bytes(),
    (r) => r.string(),
  );
}

export function volumeXmlDesc(client: LibvirtRpcClient, vol: WireVolume): Promise<string> {
  return client.call(
    StorageProc.STORAGE_VOL_GET_XML_DESC,
    'STORAGE_VOL_GET_XML_DESC',
    new XdrWriter().string(vol.pool).string(vol.name).string(vol.key).uint(0).bytes(),
    (r) => r.string(),
  );
}
