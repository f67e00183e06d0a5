// gzip on /metrics and the JSON endpoints, through a real exporter on a loopback port and Node's HTTP
// client (which, unlike fetch, does not decode for us): compressed when Accept-Encoding allows gzip,
// identity otherwise, the same content either way.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { Exporter } from '../../src/exporter.js';
import { createServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/log.js';
import { acceptsGzip } from '../../src/web/compress.js';

function request(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; raw: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Series names and labels without their values, which change from one scrape to the next. */
const seriesOf = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.slice(0, l.lastIndexOf(' ')))
    .sort();

describe('Accept-Encoding', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['deflate, gzip;q=0.5', true],
    ['x-gzip', true],
    ['*', true],
    ['identity', false],
    ['', false],
    ['deflate, br', false],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['*;q=0', false],
    ['GZIP', true],
  ])('%j allows gzip: %s', (header, expected) => {
    assert.equal(acceptsGzip(header), expected);
  });

  it('reads a header sent more than once', () => {
    assert.equal(acceptsGzip(['br', 'gzip']), true);
    assert.equal(acceptsGzip(undefined), false);
  });
});

describe('compressed responses', { timeout: 60_000 }, () => {
  let server: http.Server;
  let exporter: Exporter;
  let port = 0;

  beforeAll(async () => {
    const { config } = parseArgs(
      [
        'serve',
        '--no-collector.libvirt',
        '--no-collector.pools',
        '--no-collector.sysfs',
        '--web.enable-snapshot',
        '--collector.min-interval=60s',
      ],
      SOURCES.map((s) => s.name),
    );
    exporter = new Exporter(config, silentLogger, { processMetrics: false });
    server = createServer(exporter, silentLogger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await exporter.close();
  });

  it('/metrics: gzip when asked (as Prometheus asks), identity otherwise, the same series', async () => {
    const plain = await request(port, 'GET', '/metrics');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers.vary), /Accept-Encoding/i);
    assert.match(String(plain.headers['content-type']), /^text\/plain; version=0\.0\.4/);

    const zipped = await request(port, 'GET', '/metrics', { 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers.vary), /Accept-Encoding/i);
    assert.equal(zipped.headers['content-type'], plain.headers['content-type']);
    assert.equal(Number(zipped.headers['content-length']), zipped.raw.length);
    const text = zlib.gunzipSync(zipped.raw).toString('utf8');
    assert.ok(zipped.raw.length < text.length / 3, `${zipped.raw.length} bytes for ${text.length}`);
    assert.deepEqual(seriesOf(text), seriesOf(plain.raw.toString('utf8')));
  });

  it('/findings.json and /snapshot.json: gzip when asked, the same document', async () => {
    for (const path of ['/findings.json', '/snapshot.json']) {
      const plain = await request(port, 'GET', path);
      const zipped = await request(port, 'GET', path, { 'Accept-Encoding': 'gzip, deflate, br' });
      assert.equal(plain.headers['content-encoding'], undefined, path);
      assert.equal(zipped.headers['content-encoding'], 'gzip', path);
      assert.equal(zipped.headers['content-type'], 'application/json; charset=utf-8', path);
      // One collection serves both requests (--collector.min-interval=60s), so the documents are equal.
      assert.deepEqual(
        JSON.parse(zlib.gunzipSync(zipped.raw).toString('utf8')),
        JSON.parse(plain.raw.toString('utf8')),
      );
    }
  });

  it('a refused gzip (q=0) gets identity; HEAD gets the headers without a body', async () => {
    const refused = await request(port, 'GET', '/metrics', { 'Accept-Encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.match(refused.raw.toString('utf8'), /^# HELP /);
    const head = await request(port, 'HEAD', '/metrics', { 'Accept-Encoding': 'gzip' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-encoding'], 'gzip');
    assert.equal(head.raw.length, 0);
  });

  it('HTML pages and small bodies stay identity', async () => {
    for (const path of ['/findings', '/-/healthy']) {
      const r = await request(port, 'GET', path, { 'Accept-Encoding': 'gzip' });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-encoding'], undefined, path);
    }
  });
});
