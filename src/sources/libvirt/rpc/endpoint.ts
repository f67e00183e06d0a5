// Which libvirt URIs the RPC client can serve, and where their read-only socket is: the modular
// virtqemud's socket first, then the monolithic libvirtd's, or the one a URI names with ?socket=.
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface RpcEndpoint {
  /** Unix socket to connect to. */
  socketPath: string;
  /** URI sent in CONNECT_OPEN, without the transport and the client-side parameters. */
  name: string;
}

/** Why a URI is left to virsh; these words are also the `reason` label of the transport metric. */
export type VirshReason = 'remote_uri' | 'session_uri' | 'in_process_driver' | 'unsupported_uri';

/** Query parameters only the client reads (libvirt's remote driver strips them too). */
const CLIENT_PARAMS = new Set([
  'socket',
  'mode',
  'proxy',
  'no_tty',
  'no_verify',
  'name',
  'command',
  'netcat',
  'keyfile',
  'pkipath',
]);

export function rpcEndpoint(
  uri: string,
  socketDir: string,
  exists: (p: string) => boolean = existsSync,
): RpcEndpoint | VirshReason {
  const m = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(uri);
  if (!m) return 'unsupported_uri';
  const driver = (m[1] as string).toLowerCase();
  const transport = (m[2] ?? '').toLowerCase();
  const host = m[3] as string;
  const uriPath = m[4] ?? '/';
  const query = new URLSearchParams(m[5] ?? '');
  if (host !== '' || (transport !== '' && transport !== 'unix')) return 'remote_uri';
  const socket = query.get('socket');
  for (const k of [...query.keys()]) if (CLIENT_PARAMS.has(k)) query.delete(k);
  const rest = query.toString();
  const name = `${driver}://${uriPath}${rest ? `?${rest}` : ''}`;
  if (driver === 'test') {
    // test:///path is loaded inside the client; only test+unix:// goes to a daemon.
    if (transport !== 'unix') return 'in_process_driver';
    return { socketPath: socket ?? path.join(socketDir, 'libvirt-sock-ro'), name };
  }
  if (driver !== 'qemu') return 'unsupported_uri';
  if (uriPath !== '/system') return 'session_uri';
  if (socket) return { socketPath: socket, name };
  const modular = path.join(socketDir, 'virtqemud-sock-ro');
  return { socketPath: exists(modular) ? modular : path.join(socketDir, 'libvirt-sock-ro'), name };
}
