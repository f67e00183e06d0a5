// --web.config.file in the Prometheus exporter-toolkit format: parsed and checked into TLS options
// for Node's https server and the basic-auth users. Every problem is a WebConfigError naming the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecureVersion } from 'node:tls';
import yaml from 'js-yaml';

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const VERSIONS: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/** Go's crypto/tls names (what exporter-toolkit accepts) to OpenSSL's; only suites Node's OpenSSL offers. */
export const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
// As in Go, cipher_suites governs TLS 1.2 and below; TLS 1.3 keeps its fixed suites.
const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

const BCRYPT = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  clientAuthType: ClientAuthType;
  clientCaFile: string | null;
  clientAllowedSans: string[];
  minVersion: SecureVersion;
  maxVersion: SecureVersion | null;
  /** OpenSSL cipher list, or null for Node's default. */
  ciphers: string | null;
  honorCipherOrder: boolean;
  ecdhCurve: string | null;
}

export interface WebConfig {
  tls: TlsSettings | null;
  /** user → bcrypt hash */
  users: Map<string, string>;
  headers: Record<string, string>;
}

/** The parsed config plus the contents of the files it names, read at one moment. */
export interface LoadedWebConfig {
  config: WebConfig;
  cert: Buffer | null;
  key: Buffer | null;
  ca: Buffer | null;
  /** Every file whose change means the config must be read again. */
  files: string[];
}

type Obj = Record<string, unknown>;

function fields(value: unknown, where: string, allowed: readonly string[]): Obj {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new WebConfigError(`${where}: expected a mapping`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new WebConfigError(`${where}: unknown field "${key}" (known: ${allowed.join(', ')})`);
  }
  return value as Obj;
}

function optString(o: Obj, key: string, where: string): string | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new WebConfigError(`${where}.${key}: expected a string`);
  return v;
}

function stringList(o: Obj, key: string, where: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new WebConfigError(`${where}.${key}: expected a list of strings`);
  return v as string[];
}

function version(o: Obj, key: string, where: string): SecureVersion | null {
  const v = optString(o, key, where);
  if (v === null) return null;
  const mapped = VERSIONS[v];
  if (!mapped)
    throw new WebConfigError(`${where}.${key}: expected one of ${Object.keys(VERSIONS).join(', ')}, got "${v}"`);
  return mapped;
}

/** Parses the YAML text. Relative file names are taken relative to the config file's folder, as
 * exporter-toolkit does. */
export function parseWebConfig(text: string, file: string): WebConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (e: unknown) {
    throw new WebConfigError(`not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const top = fields(doc, 'web config', ['tls_server_config', 'http_server_config', 'basic_auth_users']);
  const dir = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(dir, p);

  const users = new Map<string, string>();
  const rawUsers = fields(top.basic_auth_users, 'basic_auth_users', Object.keys(top.basic_auth_users ?? {}));
  for (const [user, hash] of Object.entries(rawUsers)) {
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
      throw new WebConfigError(
        `basic_auth_users.${user}: expected a bcrypt hash ($2y$10$... , e.g. from htpasswd -nBC 10 "" | tr -d ':\\n')`,
      );
    }
    users.set(user, hash);
  }

  const http = fields(top.http_server_config, 'http_server_config', ['http2', 'headers']);
  if (http.http2 !== undefined && typeof http.http2 !== 'boolean')
    throw new WebConfigError('http_server_config.http2: expected true or false');
  const headerObj = fields(http.headers, 'http_server_config.headers', Object.keys(http.headers ?? {}));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(headerObj)) {
    if (typeof value !== 'string') throw new WebConfigError(`http_server_config.headers.${name}: expected a string`);
    headers[name] = value;
  }

  const where = 'tls_server_config';
  const t = fields(top.tls_server_config, where, [
    'cert_file',
    'key_file',
    'client_auth_type',
    'client_ca_file',
    'client_allowed_sans',
    'min_version',
    'max_version',
    'cipher_suites',
    'prefer_server_cipher_suites',
    'curve_preferences',
  ]);
  const certFile = optString(t, 'cert_file', where);
  const keyFile = optString(t, 'key_file', where);
  const clientCaFile = optString(t, 'client_ca_file', where);
  const authRaw = optString(t, 'client_auth_type', where);
  if (!certFile && !keyFile && !clientCaFile && !authRaw) return { tls: null, users, headers };
  if (!certFile)
    throw new WebConfigError(`${where}.cert_file: missing (key_file and cert_file are both needed for TLS)`);
  if (!keyFile) throw new WebConfigError(`${where}.key_file: missing (key_file and cert_file are both needed for TLS)`);
  const clientAuthType = (authRaw ?? 'NoClientCert') as ClientAuthType;
  if (!CLIENT_AUTH_TYPES.includes(clientAuthType)) {
    throw new WebConfigError(
      `${where}.client_auth_type: expected one of ${CLIENT_AUTH_TYPES.join(', ')}, got "${authRaw}"`,
    );
  }
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && !clientCaFile)
    throw new WebConfigError(`${where}.client_ca_file: needed with client_auth_type ${clientAuthType}`);
  if (!verifies && clientCaFile) {
    throw new WebConfigError(
      `${where}.client_ca_file: only used with client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert`,
    );
  }
  const clientAllowedSans = stringList(t, 'client_allowed_sans', where);
  if (clientAllowedSans.length && !verifies)
    throw new WebConfigError(`${where}.client_allowed_sans: needs a verified client certificate`);
  const minVersion = version(t, 'min_version', where) ?? 'TLSv1.2';
  const maxVersion = version(t, 'max_version', where);
  const order: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  if (maxVersion && order.indexOf(maxVersion) < order.indexOf(minVersion))
    throw new WebConfigError(`${where}: max_version is below min_version`);
  const suites = stringList(t, 'cipher_suites', where).map((name) => {
    const openssl = CIPHER_SUITES[name];
    if (!openssl)
      throw new WebConfigError(
        `${where}.cipher_suites: "${name}" is not supported (supported: ${Object.keys(CIPHER_SUITES).join(', ')})`,
      );
    return openssl;
  });
  const curves = stringList(t, 'curve_preferences', where).map((name) => {
    const c = CURVES[name];
    if (!c)
      throw new WebConfigError(
        `${where}.curve_preferences: "${name}" is not supported (supported: ${Object.keys(CURVES).join(', ')})`,
      );
    return c;
  });
  const prefer = t.prefer_server_cipher_suites;
  if (prefer !== undefined && typeof prefer !== 'boolean')
    throw new WebConfigError(`${where}.prefer_server_cipher_suites: expected true or false`);
  return {
    users,
    headers,
    tls: {
      certFile: resolve(certFile),
      keyFile: resolve(keyFile),
      clientAuthType,
      clientCaFile: clientCaFile ? resolve(clientCaFile) : null,
      clientAllowedSans,
      minVersion,
      maxVersion,
      ciphers: suites.length ? `${TLS13_SUITES}:${[...new Set(suites)].join(':')}` : null,
      honorCipherOrder: prefer ?? true,
      ecdhCurve: curves.length ? curves.join(':') : null,
    },
  };
}

function readNamed(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e: unknown) {
    throw new WebConfigError(`${what} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Reads the config file and the certificate files it names (synchronously: small local files, read at
 * start and when they change). Throws WebConfigError with the file named. */
export function loadWebConfig(file: string): LoadedWebConfig {
  const text = readNamed(file, 'web config').toString('utf8');
  let config: WebConfig;
  try {
    config = parseWebConfig(text, file);
  } catch (e: unknown) {
    throw e instanceof WebConfigError ? new WebConfigError(`web config ${file}: ${e.message}`) : e;
  }
  const tls = config.tls;
  if (!tls) return { config, cert: null, key: null, ca: null, files: [file] };
  return {
    config,
    cert: readNamed(tls.certFile, 'tls_server_config.cert_file'),
    key: readNamed(tls.keyFile, 'tls_server_config.key_file'),
    ca: tls.clientCaFile ? readNamed(tls.clientCaFile, 'tls_server_config.client_ca_file') : null,
    files: [file, tls.certFile, tls.keyFile, ...(tls.clientCaFile ? [tls.clientCaFile] : [])],
  };
}

/** bcrypt cost of a hash (the two digits after the version). */
export function bcryptCost(hash: string): number {
  return Number(BCRYPT.exec(hash)?.[1] ?? 10);
}
