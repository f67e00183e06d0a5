// --web.config.file with real TLS: certificates made by openssl, a real https server on 127.0.0.1:0,
// real clients (right CA, wrong CA, no client certificate, an old TLS version, plain HTTP).
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import bcrypt from 'bcryptjs';
import { execa } from 'execa';
import { createWebServer } from '../../src/web/secure-server.js';
import { WebConfigError } from '../../src/web/web-config.js';
import { createLogger } from '../../src/util/log.js';
import { TestPki, type CertFiles } from '../support/tls-certs.js';
import { waitFor } from '../support/wait.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { assertBuilt, CLI } from '../support/built-cli.js';

const unavailable = skipWithout('openssl', missingCommands('openssl'));

const logLines: string[] = [];
const log = createLogger('debug', true, (l) => logLines.push(l));
const hello: http.RequestListener = (req, res) => {
  res.end(`hello ${req.url}`);
};

let dir: string;
let ca: CertFiles;
let otherCa: CertFiles;
let server1: CertFiles;
let server2: CertFiles;
let client: CertFiles;
let strangerClient: CertFiles;
const servers: http.Server[] = [];

beforeAll(async () => {
  if (unavailable) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-tls-'));
  const pki = new TestPki(dir);
  ca = await pki.ca('test-ca');
  otherCa = await pki.ca('other-ca');
  server1 = await pki.leaf('server1', ca, 'server');
  server2 = await pki.leaf('server2', ca, 'server');
  client = await pki.leaf('client1', ca, 'client');
  strangerClient = await pki.leaf('stranger', otherCa, 'client');
});

afterAll(async () => {
  for (const s of servers) s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(configYaml: string, name = `web-${servers.length}.yml`): Promise<{ port: number; file: string }> {
  const file = path.join(dir, name);
  await writeFile(file, configYaml);
  const { server } = createWebServer(hello, file, log);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, file };
}

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  serial: string;
}

function get(port: number, opts: https.RequestOptions = {}, pathname = '/metrics'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: pathname, agent: false, timeout: 5000, ...opts },
      (res) => {
        const serial = (res.socket as tls.TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, serial }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const serialOf = async (files: CertFiles) => new X509Certificate(await readFile(files.cert)).serialNumber;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe.skipIf(unavailable)('TLS', () => {
  it('serves to a client that trusts the CA and refuses one that does not', async () => {
    const { port } = await start(`tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n`);
    const ok = await get(port, { ca: await readFile(ca.cert) });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'hello /metrics');
    await assert.rejects(
      get(port, { ca: await readFile(otherCa.cert) }),
      /self-signed|unable to verify|unable to get/i,
    );
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const { port } = await start(`tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n`);
    const plain = new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
    await assert.rejects(plain, /socket hang up|ECONNRESET/);
  });

  it('file names relative to the config file resolve against its folder', async () => {
    const { port } = await start('tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n');
    assert.equal((await get(port, { ca: await readFile(ca.cert) })).status, 200);
  });

  it('refuses a client below min_version and serves one at it', async () => {
    const { port } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n  min_version: TLS13\n`,
    );
    const caPem = await readFile(ca.cert);
    await assert.rejects(get(port, { ca: caPem, maxVersion: 'TLSv1.2' }), /protocol version|alert|ECONNRESET/i);
    assert.equal((await get(port, { ca: caPem, minVersion: 'TLSv1.3' })).status, 200);
  });

  it('cipher_suites limits TLS 1.2 to the listed suites', async () => {
    const { port } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n` +
        '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n',
    );
    const caPem = await readFile(ca.cert);
    await assert.rejects(
      get(port, { ca: caPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      /handshake failure|alert|ECONNRESET/i,
    );
    assert.equal(
      (await get(port, { ca: caPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })).status,
      200,
    );
  });
});

describe.skipIf(unavailable)('mutual TLS (RequireAndVerifyClientCert)', () => {
  let port: number;
  let caPem: Buffer;
  beforeAll(async () => {
    ({ port } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n` +
        `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${ca.cert}\n`,
    ));
    caPem = await readFile(ca.cert);
  });

  it('serves a client with a certificate from the client CA', async () => {
    const r = await get(port, { ca: caPem, cert: await readFile(client.cert), key: await readFile(client.key) });
    assert.equal(r.status, 200);
  });

  it('rejects a client without a certificate', async () => {
    await assert.rejects(get(port, { ca: caPem }), /certificate required|handshake|alert|ECONNRESET|socket hang up/i);
  });

  it('rejects a client whose certificate another CA signed', async () => {
    await assert.rejects(
      get(port, { ca: caPem, cert: await readFile(strangerClient.cert), key: await readFile(strangerClient.key) }),
      /unknown ca|alert|ECONNRESET|socket hang up/i,
    );
  });
});

describe.skipIf(unavailable)('client_allowed_sans and headers', () => {
  it('a verified client outside client_allowed_sans is rejected; the configured headers are sent', async () => {
    const tlsPart =
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n` +
      `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${ca.cert}\n`;
    const caPem = await readFile(ca.cert);
    const creds = { ca: caPem, cert: await readFile(client.cert), key: await readFile(client.key) };
    const other = await start(`${tlsPart}  client_allowed_sans: [someone-else]\n`);
    await assert.rejects(get(other.port, creds), /ECONNRESET|socket hang up/i);
    const allowed = await start(
      `${tlsPart}  client_allowed_sans: [client1]\n` +
        'http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\n',
    );
    const r = await get(allowed.port, creds);
    assert.equal(r.status, 200);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
  });
});

describe.skipIf(unavailable)('RequireAnyClientCert', () => {
  it('rejects a client without a certificate and accepts any certificate', async () => {
    const { port } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n` +
        '  client_auth_type: RequireAnyClientCert\n',
    );
    const caPem = await readFile(ca.cert);
    await assert.rejects(get(port, { ca: caPem }), /ECONNRESET|socket hang up|alert/i);
    const r = await get(port, {
      ca: caPem,
      cert: await readFile(strangerClient.cert),
      key: await readFile(strangerClient.key),
    });
    assert.equal(r.status, 200);
  });
});

describe.skipIf(unavailable)('basic auth', () => {
  let port: number;
  let caPem: Buffer;
  beforeAll(async () => {
    const hash = await bcrypt.hash('s3cret pass', 10);
    ({ port } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n` +
        `basic_auth_users:\n  prometheus: '${hash}'\n`,
    ));
    caPem = await readFile(ca.cert);
  });

  it('401 without credentials, 200 with them, 401 with a wrong password or an unknown user', async () => {
    const none = await get(port, { ca: caPem });
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic /);
    assert.equal(
      (await get(port, { ca: caPem, headers: { authorization: basic('prometheus', 's3cret pass') } })).status,
      200,
    );
    // Served from the cache of successful checks the second time: still right.
    assert.equal(
      (await get(port, { ca: caPem, headers: { authorization: basic('prometheus', 's3cret pass') } })).status,
      200,
    );
    assert.equal(
      (await get(port, { ca: caPem, headers: { authorization: basic('prometheus', 'wrong') } })).status,
      401,
    );
    assert.equal(
      (await get(port, { ca: caPem, headers: { authorization: basic('nobody', 's3cret pass') } })).status,
      401,
    );
    assert.equal((await get(port, { ca: caPem, headers: { authorization: 'Bearer abc' } })).status, 401);
  });

  it('leaves the health and readiness probes open', async () => {
    const r = await get(port, { ca: caPem }, '/-/healthy');
    assert.equal(r.status, 200);
    assert.equal((await get(port, { ca: caPem }, '/metrics?x=/-/healthy')).status, 401);
  });
});

describe.skipIf(unavailable)('rotation', () => {
  it('a replaced certificate and key are served to new connections without a restart', async () => {
    const live = { cert: path.join(dir, 'live.crt'), key: path.join(dir, 'live.key') };
    await copyFile(server1.cert, live.cert);
    await copyFile(server1.key, live.key);
    const { port } = await start(`tls_server_config:\n  cert_file: ${live.cert}\n  key_file: ${live.key}\n`);
    const caPem = await readFile(ca.cert);
    assert.equal((await get(port, { ca: caPem })).serial, await serialOf(server1));
    // Written the way cert-manager and kubelet do it: new files renamed into place.
    await copyFile(server2.key, `${live.key}.new`);
    await copyFile(server2.cert, `${live.cert}.new`);
    await rename(`${live.key}.new`, live.key);
    await rename(`${live.cert}.new`, live.cert);
    const want = await serialOf(server2);
    await waitFor(
      'the new certificate is served',
      async () => (await get(port, { ca: caPem })).serial === want,
      10_000,
    );
    assert.ok(logLines.some((l) => l.includes('web config reloaded')));
  });

  it('a broken new version is logged and the last good one kept', async () => {
    const { port, file } = await start(
      `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server1.key}\n`,
    );
    const caPem = await readFile(ca.cert);
    await writeFile(file, `tls_server_config:\n  cert_file: ${server1.cert}\n  key_file: ${server2.key}\n`);
    await waitFor(
      'the mismatched key is reported',
      async () => {
        assert.equal((await get(port, { ca: caPem })).status, 200);
        return logLines.some((l) => l.includes('web config not reloaded') && l.includes('key values mismatch'));
      },
      10_000,
    );
  });
});

describe.skipIf(unavailable)('a malformed web config fails at start', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not YAML', 'tls_server_config: [unclosed\n', /not valid YAML/],
    ['unknown field', 'tls_server_config:\n  cert_fil: x.crt\n', /unknown field "cert_fil"/],
    ['key without certificate', 'tls_server_config:\n  key_file: x.key\n', /cert_file: missing/],
    [
      'bad client_auth_type',
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n',
      /client_auth_type: expected one of/,
    ],
    [
      'verify without CA',
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n',
      /client_ca_file: needed/,
    ],
    [
      'bad min_version',
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS1.2\n',
      /min_version: expected one of TLS10/,
    ],
    [
      'unknown cipher',
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_FOO]\n',
      /"TLS_FOO" is not supported/,
    ],
    ['plain-text password', 'basic_auth_users:\n  alice: hunter2\n', /basic_auth_users.alice: expected a bcrypt hash/],
    [
      'missing certificate file',
      'tls_server_config:\n  cert_file: /nonexistent/x.crt\n  key_file: /nonexistent/x.key\n',
      /cert_file \/nonexistent\/x.crt: ENOENT/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, async () => {
      const file = path.join(dir, `bad-${name.replace(/\W+/g, '-')}.yml`);
      await writeFile(file, text);
      assert.throws(
        () => createWebServer(hello, file, log),
        (e: unknown) => e instanceof WebConfigError && message.test(e.message),
      );
    });
  }

  it('the CLI exits 2 naming the file and the field', async () => {
    const file = path.join(dir, 'bad-cli.yml');
    await writeFile(file, 'tls_server_config:\n  cert_file: a.crt\n  key_file: b.key\n  min_version: SSL3\n');
    await assertBuilt();
    const r = await execa('node', [CLI, 'serve', `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0'], {
      reject: false,
      timeout: 60_000,
    });
    assert.equal(r.exitCode, 2);
    assert.match(
      r.stderr,
      new RegExp(
        'error: --web\\.config\\.file: web config .*bad-cli\\.yml: ' +
          'tls_server_config\\.min_version: expected one of TLS10, TLS11, TLS12, TLS13, got "SSL3"',
      ),
    );
  });
});
