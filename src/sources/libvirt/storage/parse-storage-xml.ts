// Pure parsers of libvirt's pool and volume XML (virStoragePoolGetXMLDesc, virStorageVolGetXMLDesc)
// into the parts the storage kinds need.
import { libvirtXmlParser } from '../../../util/xml-parser.js';
import type { StoragePool, StorageVolume } from '../../../snapshot/libvirt-storage.js';

type Node = Record<string, unknown>;

const parser = libvirtXmlParser();

function text(node: unknown): string | null {
  if (typeof node === 'string') return node === '' ? null : node;
  if (node && typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']);
  return null;
}

function child(node: unknown, name: string): unknown {
  return node && typeof node === 'object' ? (node as Node)[name] : undefined;
}

function attr(node: unknown, name: string): string | null {
  const v = child(node, `@${name}`);
  return v === undefined ? null : String(v);
}

const UNIT_BYTES: Record<string, number> = { bytes: 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2 };
UNIT_BYTES.g = UNIT_BYTES.gib = 1024 ** 3;
UNIT_BYTES.t = UNIT_BYTES.tib = 1024 ** 4;
UNIT_BYTES.kb = 1e3;
UNIT_BYTES.mb = 1e6;
UNIT_BYTES.gb = 1e9;
UNIT_BYTES.tb = 1e12;

function bytes(node: unknown): number | null {
  const v = text(node);
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) return null;
  return Math.round(n * (UNIT_BYTES[(attr(node, 'unit') ?? 'bytes').toLowerCase()] ?? 1));
}

export function parseStoragePoolXml(xml: string, uuid: string): StoragePool {
  const pool = (parser.parse(xml) as Node).pool;
  if (!pool || typeof pool !== 'object') throw new Error('no <pool> element');
  const name = text(child(pool, 'name'));
  if (!name) throw new Error('pool without <name>');
  const source = child(pool, 'source');
  return {
    name,
    uuid,
    type: attr(pool, 'type') ?? '',
    sourceName: text(child(source, 'name')),
    targetPath: text(child(child(pool, 'target'), 'path')),
  };
}

export function parseStorageVolumeXml(xml: string, pool: string, key: string): StorageVolume {
  const vol = (parser.parse(xml) as Node).volume;
  if (!vol || typeof vol !== 'object') throw new Error('no <volume> element');
  const name = text(child(vol, 'name'));
  if (!name) throw new Error('volume without <name>');
  const target = child(vol, 'target');
  return {
    pool,
    name,
    key: text(child(vol, 'key')) ?? key,
    type: attr(vol, 'type') ?? 'file',
    path: text(child(target, 'path')),
    capacityBytes: bytes(child(vol, 'capacity')),
    allocationBytes: bytes(child(vol, 'allocation')),
    format: attr(child(target, 'format'), 'type'),
    backing: text(child(child(vol, 'backingStore'), 'path')),
  };
}
