// Which way a collection talks to libvirt: its RPC protocol on the local read-only socket where the
// URI allows it, one kept read-only virsh shell otherwise, and virsh for a while after a failed RPC
// handshake (an old or locked-down libvirtd) before RPC is tried again.
import type { LibvirtTransport } from '../../snapshot/libvirt.js';
import { describeError } from '../../util/fs-errors.js';
import type { LibvirtBackend } from './backend.js';
import type { TransportChoice } from './flags.js';
import { RpcBackend } from './rpc-backend.js';
import { VirshBackend } from './virsh-backend.js';
import { rpcEndpoint } from './rpc/endpoint.js';
import { isRpcHandshakeError, type DomainEventListener } from './rpc/client.js';
import { abortOnSignal } from './rpc/abort.js';

/** A URI names this host when it has no server part and drives QEMU (whose processes we can see). */
export function isLocalQemuUri(uri: string): boolean {
  const m = /^([a-z0-9+]+):\/\/([^/]*)\//i.exec(uri);
  if (!m) return false;
  const [scheme, transport] = (m[1] as string).toLowerCase().split('+');
  return scheme === 'qemu' && (m[2] === '' || transport === 'unix');
}

export interface TransportOptions {
  virsh: string;
  uri: string;
  /** auto: RPC where the socket reaches, virsh otherwise. */
  transport?: TransportChoice;
  /** Where libvirt's sockets are (/run/libvirt). */
  socketDir?: string;
}

/** After a failed RPC handshake, virsh serves for this long before RPC is tried again. */
const HANDSHAKE_RETRY_MS = 10 * 60_000;

export class Transports {
  private rpc: RpcBackend | null = null;
  private virsh: VirshBackend | null = null;
  private rpcRetryAt = 0;
  private transport: LibvirtTransport;
  private readonly configError: string | null = null;

  /** `changed` hears the domains libvirt's events say changed (RPC only). */
  constructor(
    private readonly opts: TransportOptions,
    changed: DomainEventListener,
  ) {
    const choice = opts.transport ?? 'auto';
    const endpoint = choice === 'virsh' ? null : rpcEndpoint(opts.uri, opts.socketDir ?? '/run/libvirt');
    if (endpoint !== null && typeof endpoint === 'object') {
      this.rpc = new RpcBackend(endpoint, changed);
      this.transport = { name: 'rpc', reason: 'local_socket', detail: endpoint.socketPath };
    } else if (choice === 'rpc') {
      this.configError =
        `--libvirt.transport=rpc: ${opts.uri} is not reachable over a local socket ` + `(${String(endpoint)})`;
      this.transport = { name: 'rpc', reason: 'configured', detail: this.configError };
    } else {
      this.transport =
        choice === 'virsh'
          ? { name: 'virsh', reason: 'configured', detail: '--libvirt.transport=virsh' }
          : { name: 'virsh', reason: endpoint as string, detail: opts.uri };
    }
  }

  /** Whether libvirt's lifecycle events are heard now (over RPC, its connection up; never over virsh). */
  hearsLifecycle(): boolean {
    return this.transport.name === 'rpc' && this.rpc?.hearsLifecycle() === true;
  }

  /** The transport of the last collection and why it was chosen. */
  get current(): LibvirtTransport {
    return this.transport;
  }

  /** Runs one collection over RPC when it is due, else (or after a failed handshake) over virsh. */
  async run<T>(signal: AbortSignal, collect: (backend: LibvirtBackend) => Promise<T>): Promise<T> {
    if (this.configError) throw new Error(this.configError);
    // One abort listener per collection, whatever the number of calls in it.
    const release = this.rpc ? abortOnSignal(signal, (reason) => this.rpc?.abort(reason)) : () => {};
    try {
      if (this.rpc && Date.now() >= this.rpcRetryAt) {
        try {
          const result = await collect(this.rpc);
          await this.virsh?.close();
          this.virsh = null;
          return result;
        } catch (e: unknown) {
          if (!isRpcHandshakeError(e) || this.opts.transport === 'rpc') throw e;
          this.rpcRetryAt = Date.now() + HANDSHAKE_RETRY_MS;
          this.transport = { name: 'virsh', reason: 'handshake_failed', detail: describeError(e) };
        }
      }
      return await collect(this.virshBackend());
    } finally {
      release();
    }
  }

  /** A backend answered: RPC serving again (after a fallback) is the transport from now on. */
  served(backend: LibvirtBackend): void {
    if (backend.transport === 'rpc' && this.rpc)
      this.transport = { name: 'rpc', reason: 'local_socket', detail: this.rpc.endpoint.socketPath };
  }

  private virshBackend(): VirshBackend {
    this.virsh ??= new VirshBackend(this.opts.virsh, this.opts.uri);
    return this.virsh;
  }

  async close(): Promise<void> {
    await this.rpc?.close();
    await this.virsh?.close();
  }
}
