// The listening server for a plain Node request listener: http, or https when --web.config.file has
// tls_server_config, with basic auth in front. The config and the files it names are looked at again
// (stat, at most once a second, on a new connection) and re-read when they change, so certificates
// rotate without a restart; a broken new version is logged and the last good one kept.
import { statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { Logger } from '../util/log.js';
import { BasicAuth } from './basic-auth.js';
import { loadWebConfig, WebConfigError, type LoadedWebConfig } from './web-config.js';

const RECHECK_MS = 1000;

function fingerprint(files: string[]): string {
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/** https.ServerOptions for one loaded config; throws WebConfigError when the key, certificate or CA is unusable. */
export function tlsOptions(loaded: LoadedWebConfig): https.ServerOptions {
  const t = loaded.config.tls;
  if (!t || !loaded.cert || !loaded.key) throw new WebConfigError('no tls_server_config');
  const options: https.ServerOptions = {
    cert: loaded.cert,
    key: loaded.key,
    minVersion: t.minVersion,
    honorCipherOrder: t.honorCipherOrder,
    requestCert: t.clientAuthType !== 'NoClientCert',
    rejectUnauthorized: t.clientAuthType === 'RequireAndVerifyClientCert',
  };
  if (t.maxVersion) options.maxVersion = t.maxVersion;
  if (t.ciphers) options.ciphers = t.ciphers;
  if (t.ecdhCurve) options.ecdhCurve = t.ecdhCurve;
  if (loaded.ca) options.ca = loaded.ca;
  try {
    tls.createSecureContext(options);
  } catch (e: unknown) {
    throw new WebConfigError(
      `tls_server_config: cannot use ${[t.certFile, t.keyFile, t.clientCaFile].filter(Boolean).join(' / ')}: ` +
        (e instanceof Error ? e.message : String(e)),
    );
  }
  return options;
}

/** Client checks Node's own options do not express: a certificate at all, a verified one if given, allowed SANs. */
function clientRejection(socket: tls.TLSSocket, loaded: LoadedWebConfig): string | null {
  const t = loaded.config.tls;
  if (!t) return null;
  const cert = socket.getPeerX509Certificate();
  switch (t.clientAuthType) {
    case 'RequireAnyClientCert':
      if (!cert) return 'no client certificate';
      break;
    case 'VerifyClientCertIfGiven':
      if (cert && !socket.authorized) return `client certificate not verified: ${String(socket.authorizationError)}`;
      break;
    case 'RequireAndVerifyClientCert':
      if (!cert || !socket.authorized) return 'no verified client certificate';
      break;
    default:
      break;
  }
  if (t.clientAllowedSans.length && cert && !sanAllowed(cert, t.clientAllowedSans))
    return 'client certificate SAN not allowed';
  return null;
}

function sanAllowed(cert: X509Certificate, allowed: string[]): boolean {
  const sans = (cert.subjectAltName ?? '').split(/,\s*/).map((s) => s.replace(/^[A-Za-z ]+:/, ''));
  return sans.some((s) => allowed.includes(s));
}

export interface WebServer {
  server: http.Server;
  /** 'https' when TLS is on. */
  scheme: 'http' | 'https';
}

/**
 * Builds the server for `listener`. Without a web config file: plain http, no auth. Throws
 * WebConfigError (meant for the terminal) when the file or the files it names are unusable at start.
 */
export function createWebServer(listener: http.RequestListener, webConfigFile: string, log: Logger): WebServer {
  if (!webConfigFile) return { server: http.createServer(listener), scheme: 'http' };
  let loaded = loadWebConfig(webConfigFile);
  const auth = new BasicAuth(loaded.config.users);
  let headers = loaded.config.headers;
  const withHeaders: http.RequestListener = (req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    listener(req, res);
  };
  const handler = auth.wrap(withHeaders);
  const tlsOn = loaded.config.tls !== null;
  const server = tlsOn ? https.createServer(tlsOptions(loaded), handler) : http.createServer(handler);

  let seen = fingerprint(loaded.files);
  let lastCheck = Date.now();
  let failed = '';
  const recheck = () => {
    if (Date.now() - lastCheck < RECHECK_MS) return;
    lastCheck = Date.now();
    const now = fingerprint(loaded.files);
    if (now === seen) return;
    try {
      const next = loadWebConfig(webConfigFile);
      if ((next.config.tls !== null) !== tlsOn) throw new WebConfigError('turning TLS on or off needs a restart');
      if (tlsOn) (server as https.Server).setSecureContext(tlsOptions(next));
      auth.setUsers(next.config.users);
      headers = next.config.headers;
      loaded = next;
      seen = fingerprint(next.files);
      failed = '';
      log.info('web config reloaded', { file: webConfigFile, tls: tlsOn, users: next.config.users.size });
    } catch (e: unknown) {
      // Logged once per broken version; a half-written file is retried on the next connection.
      const message = e instanceof Error ? e.message : String(e);
      if (message !== failed)
        log.error('web config not reloaded, keeping the previous one', { file: webConfigFile, error: message });
      failed = message;
    }
  };
  // Before the TLS listener that Node registered in the constructor, so this very connection already
  // gets a rotated certificate.
  server.prependListener('connection', (_socket: net.Socket) => recheck());
  if (tlsOn) {
    // Before the http layer starts reading from the socket.
    server.prependListener('secureConnection', (socket: tls.TLSSocket) => {
      const reason = clientRejection(socket, loaded);
      if (reason) {
        log.debug('TLS client rejected', { remote: socket.remoteAddress, reason });
        socket.destroy();
      }
    });
    server.on('tlsClientError', (e: Error, socket: tls.TLSSocket) => {
      log.debug('TLS handshake failed', { remote: socket.remoteAddress, error: e.message });
    });
  }
  return { server, scheme: tlsOn ? 'https' : 'http' };
}
