// The HTTP server against a real exporter on a loopback port: only GET and HEAD, security headers,
// nothing outside the routes (traversal, encoded slashes), oversized headers and slowloris clients.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseArgs } from '../src/flags.js';
import { SOURCES } from '../src/families/index.js';
import { Exporter } from '../src/exporter.js';
import { createServer } from '../src/server.js';
import { silentLogger } from '../src/util/log.js';

function request(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP server', { timeout: 60_000 }, () => {
  let server: http.Server;
  let exporter: Exporter;
  let port = 0;

  beforeAll(async () => {
    const args = [
      'serve',
      '--no-collector.libvirt',
      '--no-collector.pools',
      '--no-collector.sysfs',
      '--collector.min-interval=0s',
    ];
    const { config } = parseArgs(
      args,
      SOURCES.map((s) => s.name),
    );
    exporter = new Exporter(config, silentLogger, { processMetrics: false });
    const timeouts = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, checkIntervalMs: 200 };
    server = createServer(exporter, silentLogger, timeouts);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await exporter.close();
  });

  it('answers GET and HEAD on every route', async () => {
    const routes = [
      '/',
      '/findings',
      '/findings.json',
      '/metrics',
      '/style.css',
      '/-/healthy',
      '/-/ready',
      '/runbooks',
      '/runbooks/VMZombieQemuWithoutDomain',
    ];
    for (const path of routes) {
      const get = await request(port, 'GET', path);
      assert.equal(get.status, 200, path);
      assert.ok(get.body.length > 0, path);
      const head = await request(port, 'HEAD', path);
      assert.equal(head.status, 200, `HEAD ${path}`);
      assert.equal(head.body, '');
    }
  });

  it('every other method is 405 with Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) {
      for (const path of ['/metrics', '/findings', '/nope']) {
        const r = await request(port, method, path);
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers.allow, 'GET, HEAD');
        assert.doesNotMatch(r.body, /vmzombie_collector_up/);
      }
    }
  });

  it('HTML pages carry a script-free CSP and the security headers', async () => {
    for (const path of ['/', '/findings', '/nope']) {
      const r = await request(port, 'GET', path);
      const csp = String(r.headers['content-security-policy'] ?? '');
      assert.match(csp, /default-src 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|script-src/, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['x-powered-by'], undefined);
      assert.doesNotMatch(r.body, /<script|<style| style=/, `${path}: nothing inline for the CSP to block`);
    }
  });

  it('traversal and encoded-slash paths are 404, never a file or another route', async () => {
    const paths = [
      '/../metrics',
      '/findings/../metrics',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/metrics%2f',
      '/findings%2Ejson',
      '/runbooks/..%2F..%2Fpackage.json',
      '/runbooks/NoSuchAlert',
      '/runbooks/..%2FREADME',
      '/runbooks/%E0%A4%A',
      '/style.css/..%2f..%2fpackage.json',
      '//metrics',
      '/METRICS',
      '/%E0%A4%A',
    ];
    for (const path of paths) {
      const r = await request(port, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /root:|vmzombie_collector_up|"dependencies"/, path);
      assert.match(r.headers['content-type'] ?? '', /^text\/html/);
    }
  });

  it('a 20 kB header is refused with 431', async () => {
    const r = await request(port, 'GET', '/metrics', { 'x-filler': 'a'.repeat(20_000) });
    assert.equal(r.status, 431);
  });

  it('a client that never finishes its headers is cut off', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let received = '';
    socket.on('data', (c) => {
      received += c.toString();
    });
    // One more header byte now and then, as a slowloris client sends them, never the blank line.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('X-A: b\r\n');
    }, 150);
    const closed = await new Promise<boolean>((resolve) => {
      const limit = setTimeout(() => resolve(false), 15_000);
      socket.once('close', () => {
        clearTimeout(limit);
        resolve(true);
      });
    });
    clearInterval(drip);
    socket.destroy();
    assert.ok(closed, 'the server kept the connection open');
    assert.match(received, /^HTTP\/1\.1 408 /);
  });
});
