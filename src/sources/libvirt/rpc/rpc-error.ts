// Errors of the libvirt RPC client: a remote_error the daemon sent back, or a broken connection.
import type { RemoteError } from './protocol.js';
import { ERR_NO_DOMAIN } from './protocol.js';

/** The daemon answered a call with an error (libvirt's own code, domain and message). */
export class LibvirtRemoteError extends Error {
  override readonly name = 'LibvirtRemoteError';
  readonly code: number;
  readonly domain: number;
  constructor(
    readonly procedure: string,
    remote: RemoteError,
  ) {
    super(
      `${procedure}: ${remote.message ?? `libvirt error code ${remote.code}`} ` +
        `(code ${remote.code}, domain ${remote.domain})`,
    );
    this.code = remote.code;
    this.domain = remote.domain;
  }
}

export function isLibvirtRemoteError(e: unknown): e is LibvirtRemoteError {
  return e instanceof LibvirtRemoteError;
}

export function isNoDomain(e: unknown): boolean {
  return isLibvirtRemoteError(e) && e.code === ERR_NO_DOMAIN;
}

/** The connection itself failed: closed, garbage on the wire, an oversized frame, aborted. */
export class RpcConnectionError extends Error {
  override readonly name = 'RpcConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isRpcConnectionError(e: unknown): e is RpcConnectionError {
  return e instanceof RpcConnectionError;
}
