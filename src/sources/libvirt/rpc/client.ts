// libvirt RPC client: the read-only handshake (AUTH_LIST, polkit when offered, CONNECT_OPEN RO,
// library version) and typed wrappers for the job-free calls the libvirt source makes.
import { LibvirtRemoteError, RpcConnectionError } from './rpc-error.js';
import { RpcConnection, type ConnectionOptions } from './connection.js';
import {
  AuthType,
  CONNECT_RO,
  DOMAIN_EVENTS,
  EVENT_PROCS,
  LIFECYCLE_EVENT,
  Proc,
  readDomain,
  readTypedParam,
  writeDomain,
  type TypedValue,
  type WireDomain,
} from './protocol.js';
import { XdrReader, XdrWriter } from './xdr.js';

/** CONNECT_GET_ALL_DOMAIN_STATS with NOWAIT and the event callbacks we register came in 4.5.0. */
export const MIN_LIBRARY_VERSION = 4_005_000;

/** The daemon answered, but not in a way we can use read-only (auth, version): virsh may still work. */
export class RpcHandshakeError extends Error {
  override readonly name = 'RpcHandshakeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isRpcHandshakeError(e: unknown): e is RpcHandshakeError {
  return e instanceof RpcHandshakeError;
}

export interface DomainStats {
  domain: WireDomain;
  params: Map<string, TypedValue>;
}

export function formatLibraryVersion(v: number): string {
  return `${Math.floor(v / 1_000_000)}.${Math.floor(v / 1000) % 1000}.${v % 1000}`;
}

/** Hears which domain an event was for, and whether it was a lifecycle event (started, stopped, migrated...). */
export type DomainEventListener = (uuid: string, lifecycle: boolean) => void;

export class LibvirtRpcClient {
  libraryVersion = 0;
  private eventListener: DomainEventListener | null = null;

  private constructor(readonly conn: RpcConnection) {
    conn.onMessage((proc, body) => this.onMessage(proc, body));
  }

  /**
   * Connects and opens `name` read-only. Rejects with RpcConnectionError (no socket, refused, broken)
   * or RpcHandshakeError. Pass `onConnection` to get the connection early, e.g. to destroy it on abort.
   */
  static async open(
    socketPath: string,
    name: string,
    options: ConnectionOptions & { onConnection?: (c: RpcConnection) => void } = {},
  ): Promise<LibvirtRpcClient> {
    const conn = new RpcConnection(socketPath, options);
    options.onConnection?.(conn);
    const client = new LibvirtRpcClient(conn);
    try {
      await conn.connected();
      await client.handshake(name);
      return client;
    } catch (e: unknown) {
      conn.destroy();
      throw e;
    }
  }

  private async handshake(name: string): Promise<void> {
    const auth = await this.handshakeCall(Proc.AUTH_LIST, 'AUTH_LIST', null, (r) => r.array(() => r.int(), 20));
    if (!auth.includes(AuthType.NONE)) {
      if (!auth.includes(AuthType.POLKIT))
        throw new RpcHandshakeError(`libvirtd asks for authentication we do not do (types ${auth.join(', ')})`);
      const complete = await this.handshakeCall(Proc.AUTH_POLKIT, 'AUTH_POLKIT', null, (r) => r.int());
      if (complete !== 1) throw new RpcHandshakeError('polkit did not allow the read-only connection');
    }
    await this.handshakeCall(
      Proc.CONNECT_OPEN,
      'CONNECT_OPEN',
      new XdrWriter().optionalString(name).uint(CONNECT_RO).bytes(),
      () => null,
    );
    this.libraryVersion = await this.handshakeCall(Proc.CONNECT_GET_LIB_VERSION, 'CONNECT_GET_LIB_VERSION', null, (r) =>
      r.uhyper(),
    );
    if (this.libraryVersion < MIN_LIBRARY_VERSION) {
      throw new RpcHandshakeError(
        `libvirt ${formatLibraryVersion(this.libraryVersion)} is older than ` +
          formatLibraryVersion(MIN_LIBRARY_VERSION),
      );
    }
  }

  /** A remote error during the handshake (auth denied, no such driver) is a handshake failure. */
  private async handshakeCall<T>(
    proc: number,
    procName: string,
    payload: Buffer | null,
    read: (r: XdrReader) => T,
  ): Promise<T> {
    try {
      return await this.call(proc, procName, payload, read);
    } catch (e: unknown) {
      if (e instanceof LibvirtRemoteError) throw new RpcHandshakeError(e.message, { cause: e });
      throw e;
    }
  }

  async call<T>(proc: number, procName: string, payload: Buffer | null, read: (r: XdrReader) => T): Promise<T> {
    const body = await this.conn.call(proc, procName, payload);
    try {
      return read(new XdrReader(body));
    } catch (e: unknown) {
      // The frame was whole but its payload is not what the procedure returns: the stream cannot be trusted.
      const err = new RpcConnectionError(`${procName}: unreadable reply (${(e as Error).message})`, { cause: e });
      this.conn.destroy(err);
      throw err;
    }
  }

  listAllDomains(flags: number): Promise<WireDomain[]> {
    return this.call(
      Proc.CONNECT_LIST_ALL_DOMAINS,
      'CONNECT_LIST_ALL_DOMAINS',
      new XdrWriter().int(1).uint(flags).bytes(),
      (r) => {
        const domains = r.array(() => readDomain(r));
        r.uint();
        return domains;
      },
    );
  }

  allDomainStats(stats: number, flags: number): Promise<DomainStats[]> {
    return this.call(
      Proc.CONNECT_GET_ALL_DOMAIN_STATS,
      'CONNECT_GET_ALL_DOMAIN_STATS',
      new XdrWriter().uint(0).uint(stats).uint(flags).bytes(),
      (r) => r.array(() => ({ domain: readDomain(r), params: new Map(r.array(() => readTypedParam(r))) })),
    );
  }

  snapshotNum(domain: WireDomain): Promise<number> {
    return this.call(
      Proc.DOMAIN_SNAPSHOT_NUM,
      'DOMAIN_SNAPSHOT_NUM',
      writeDomain(new XdrWriter(), domain).uint(0).bytes(),
      (r) => r.int(),
    );
  }

  xmlDesc(domain: WireDomain): Promise<string> {
    return this.call(
      Proc.DOMAIN_GET_XML_DESC,
      'DOMAIN_GET_XML_DESC',
      writeDomain(new XdrWriter(), domain).uint(0).bytes(),
      (r) => r.string(),
    );
  }

  /**
   * Registers every event that can change a domain's XML, for all domains; `listener` gets the uuid.
   * An event this daemon does not know is skipped; returns the names registered.
   */
  async watchDomainEvents(listener: DomainEventListener): Promise<string[]> {
    this.eventListener = listener;
    const results = await Promise.allSettled(
      DOMAIN_EVENTS.map((ev) =>
        this.call(
          Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
          'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
          new XdrWriter().int(ev.id).uint(0).bytes(),
          (r) => r.int(),
        ),
      ),
    );
    const broken = results.find((r) => r.status === 'rejected' && !(r.reason instanceof LibvirtRemoteError));
    if (broken) throw (broken as PromiseRejectedResult).reason;
    return DOMAIN_EVENTS.filter((_, i) => results[i]?.status === 'fulfilled').map((ev) => ev.name);
  }

  private onMessage(proc: number, body: Buffer): void {
    if (!EVENT_PROCS.has(proc) || !this.eventListener) return;
    try {
      const r = new XdrReader(body);
      r.int(); // callback id: every callback is for all domains, so which one does not matter
      this.eventListener(readDomain(r).uuid, proc === LIFECYCLE_EVENT.proc);
    } catch {
      // An event we cannot read only costs us a hint; the rolling refresh still catches the change.
    }
  }

  close(): void {
    this.conn.destroy();
  }
}
