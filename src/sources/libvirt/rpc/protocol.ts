// libvirt's remote protocol (src/remote/remote_protocol.x, src/rpc/virnetprotocol.x): program and
// procedure numbers, the message header, and XDR codecs for the handful of structures we use.
import type { XdrReader, XdrWriter } from './xdr.js';
import { XdrError } from './xdr.js';

export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_VERSION = 1;
export const KEEPALIVE_PROGRAM = 0x6b656570;
/** libvirt refuses bigger messages too (VIR_NET_MESSAGE_MAX). */
export const MESSAGE_MAX = 32 * 1024 * 1024;
export const HEADER_BYTES = 28;

export const MessageType = { CALL: 0, REPLY: 1, MESSAGE: 2 } as const;
export const MessageStatus = { OK: 0, ERROR: 1 } as const;

export const Proc = {
  CONNECT_OPEN: 1,
  CONNECT_CLOSE: 2,
  DOMAIN_GET_XML_DESC: 14,
  AUTH_LIST: 66,
  AUTH_POLKIT: 70,
  CONNECT_GET_LIB_VERSION: 157,
  DOMAIN_SNAPSHOT_NUM: 187,
  CONNECT_LIST_ALL_DOMAINS: 273,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
  CONNECT_GET_ALL_DOMAIN_STATS: 344,
} as const;

export const AuthType = { NONE: 0, SASL: 1, POLKIT: 2 } as const;

/** virConnectListAllDomainsFlags. */
export const ListFlags = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  MANAGEDSAVE: 256,
  AUTOSTART: 1024,
  HAS_SNAPSHOT: 4096,
} as const;

export const STATS_STATE = 1;
export const STATS_NOWAIT = 1 << 29;
export const CONNECT_RO = 1;

/** DOMAIN_EVENT_CALLBACK_LIFECYCLE: a domain started, stopped, paused, resumed, was defined, undefined or migrated. */
export const LIFECYCLE_EVENT = { id: 0, name: 'lifecycle', proc: 318 } as const;
/**
 * Domain events that can change what the XML says (virDomainEventID), with the procedure number the
 * server sends them as. Each message body begins with the callback id and the domain.
 */
export const DOMAIN_EVENTS: ReadonlyArray<{ id: number; name: string; proc: number }> = [
  LIFECYCLE_EVENT,
  { id: 8, name: 'block-job', proc: 326 },
  { id: 9, name: 'disk-change', proc: 327 },
  { id: 10, name: 'tray-change', proc: 328 },
  { id: 15, name: 'device-removed', proc: 333 },
  { id: 16, name: 'block-job-2', proc: 339 },
  { id: 17, name: 'tunable', proc: 346 },
  { id: 19, name: 'device-added', proc: 354 },
  { id: 23, name: 'metadata-change', proc: 379 },
];
export const EVENT_PROCS: ReadonlySet<number> = new Set(DOMAIN_EVENTS.map((e) => e.proc));

export interface Header {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

/** A call's full frame: length word, header, payload. */
export function encodeCall(proc: number, serial: number, payload: Buffer | null): Buffer {
  const bodyLength = payload?.length ?? 0;
  const frame = Buffer.alloc(HEADER_BYTES + bodyLength);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt32BE(REMOTE_PROGRAM, 4);
  frame.writeUInt32BE(REMOTE_VERSION, 8);
  frame.writeInt32BE(proc, 12);
  frame.writeInt32BE(MessageType.CALL, 16);
  frame.writeUInt32BE(serial, 20);
  frame.writeInt32BE(MessageStatus.OK, 24);
  payload?.copy(frame, HEADER_BYTES);
  return frame;
}

/** Header of a frame that starts at the length word. */
export function decodeHeader(frame: Buffer): Header {
  if (frame.length < HEADER_BYTES) throw new XdrError(`frame of ${frame.length} bytes is shorter than a header`);
  return {
    prog: frame.readUInt32BE(4),
    vers: frame.readUInt32BE(8),
    proc: frame.readInt32BE(12),
    type: frame.readInt32BE(16),
    serial: frame.readUInt32BE(20),
    status: frame.readInt32BE(24),
  };
}

/** remote_nonnull_domain: name, uuid, id (-1 when inactive). */
export interface WireDomain {
  name: string;
  uuid: string;
  id: number;
}

export function readDomain(r: XdrReader): WireDomain {
  const name = r.string();
  const raw = r.fixedOpaque(16).toString('hex');
  const uuid = `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`;
  return { name, uuid, id: r.int() };
}

export function writeDomain(w: XdrWriter, d: WireDomain): XdrWriter {
  const hex = d.uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new XdrError(`not a uuid: ${d.uuid}`);
  return w.string(d.name).fixedOpaque(Buffer.from(hex, 'hex')).int(d.id);
}

/** remote_typed_param value, discriminated by virTypedParameterType. */
export type TypedValue = number | boolean | string;

export function readTypedParam(r: XdrReader): [string, TypedValue] {
  const field = r.string();
  const type = r.int();
  switch (type) {
    case 1:
      return [field, r.int()];
    case 2:
      return [field, r.uint()];
    case 3:
      return [field, r.hyper()];
    case 4:
      return [field, r.uhyper()];
    case 5:
      return [field, r.double()];
    case 6:
      return [field, r.int() !== 0];
    case 7:
      return [field, r.string()];
    default:
      throw new XdrError(`unknown typed parameter type ${type} for "${field}"`);
  }
}

/** remote_error, the payload of a reply with status ERROR. */
export interface RemoteError {
  code: number;
  domain: number;
  message: string | null;
  level: number;
}

export function readRemoteError(r: XdrReader): RemoteError {
  const code = r.int();
  const domain = r.int();
  const message = r.optional(() => r.string());
  const level = r.int();
  // The rest (domain, str1..3, int1, int2, network) only repeats what the message says.
  return { code, domain, message, level };
}

/** VIR_ERR_NO_DOMAIN: the domain went away between two calls, a clean "gone". */
export const ERR_NO_DOMAIN = 42;
