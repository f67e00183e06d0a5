// HTTP server on express: /metrics, the landing page, /findings (HTML and JSON), /snapshot.json (off
// unless a flag asks: web/snapshot-endpoint.ts), /runbooks, /-/healthy, /-/ready. GET and HEAD only,
// security headers, bounded header and request times, and one error handler behind every route. A
// scrape waits for the shared collection at most its budget (scrape-budget.ts). /metrics and the JSON
// endpoints are gzip-compressed when the client asks (web/compress.ts).
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Exporter } from './exporter.js';
import { scrapeBudgetSeconds } from './engine/scrape-budget.js';
import { findingsJson } from './outputs/findings-json.js';
import { errorPage, landingPage } from './outputs/pages.js';
import { findingsPage, parseFindingsQuery } from './outputs/findings-page.js';
import { STYLESHEET } from './outputs/html.js';
import { renderRunbookIndex, renderRunbookPath } from './outputs/runbook-pages.js';
import type { Logger } from './util/log.js';
import { redactSnapshot } from './outputs/redact.js';
import { SNAPSHOT_OFF_BODY, snapshotMode } from './web/snapshot-endpoint.js';
import { sendCompressible } from './web/compress.js';

export interface ServerOptions {
  /** A client must finish sending its headers within this (slowloris). */
  headersTimeoutMs?: number;
  /** …and its whole request within this; the response (a scrape waiting for collection) is not bounded here. */
  requestTimeoutMs?: number;
  /** How often the server checks those two timeouts. */
  checkIntervalMs?: number;
}

const ALLOW = 'GET, HEAD';
const JSON_TYPE = 'application/json; charset=utf-8';
// No script at all; styles only from /style.css; nothing may frame the pages.
const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  next();
}

function onlyGetAndHead(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  res.status(405).set('Allow', ALLOW).type('text/plain').send(`method ${req.method} not allowed; use ${ALLOW}\n`);
}

export function createApp(exporter: Exporter, log: Logger): express.Express {
  const snapshot = snapshotMode(exporter.config);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use(onlyGetAndHead, securityHeaders);

  const html = (res: Response, body: string) => res.type('text/html; charset=utf-8').send(body);
  app.get('/metrics', async (req, res) => {
    // Answer within Prometheus' own budget: collectors still running then are served stale.
    const budget = scrapeBudgetSeconds(req.headers['x-prometheus-scrape-timeout-seconds'], {
      offsetSeconds: exporter.config['web.scrape-timeout-offset'],
      fallbackSeconds: exporter.config['web.scrape-budget'],
    });
    const arrived = performance.now();
    exporter.scraped();
    await exporter.refresh(budget);
    const refreshed = performance.now();
    const body = await exporter.metrics.encoded();
    const rendered = performance.now();
    await sendCompressible(req, res, exporter.metrics.contentType, body);
    log.debug('metrics served', {
      waitedMs: Math.round(refreshed - arrived),
      renderMs: Math.round(rendered - refreshed),
      sendMs: Math.round(performance.now() - rendered),
    });
  });
  app.get('/', async (_req, res) => {
    const last = exporter.last() ?? (await exporter.refresh());
    html(res, landingPage(last.snapshot, last.detection, Date.now() / 1000, snapshot, exporter.collection.pacing()));
  });
  app.get('/findings', async (req, res) => {
    const { snapshot, detection } = await exporter.refresh();
    html(res, findingsPage(snapshot, detection, parseFindingsQuery(req.query as Record<string, unknown>)));
  });
  app.get('/findings.json', async (req, res) => {
    const { snapshot, detection } = await exporter.refresh();
    await sendCompressible(req, res, JSON_TYPE, JSON.stringify(findingsJson(snapshot, detection), null, 2));
  });
  // Off by default: 404 like any path this server does not have, since no credential would unlock it.
  app.get('/snapshot.json', async (req, res) => {
    if (snapshot === 'off') {
      res.status(404).type('text/plain').send(SNAPSHOT_OFF_BODY);
      return;
    }
    const { snapshot: snap } = await exporter.refresh();
    await sendCompressible(req, res, JSON_TYPE, JSON.stringify(snapshot === 'raw' ? snap : redactSnapshot(snap)));
  });
  app.get('/runbooks', (_req, res) => {
    html(res, renderRunbookIndex());
  });
  // Only names on the catalog's alert list resolve (runbook-pages), so no path reaches another file.
  app.get('/runbooks/:name', (req, res, next) => {
    const page = renderRunbookPath(encodeURIComponent(String(req.params.name)));
    if (page === null) next();
    else html(res, page);
  });
  app.get('/style.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'max-age=300').send(STYLESHEET);
  });
  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('OK\n');
  });
  app.get('/-/ready', (_req, res) => {
    if (exporter.last()) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('first collection not finished\n');
  });
  app.use((_req, res) => {
    res.status(404);
    html(res, errorPage(404, 'Not found'));
  });
  // Express 5 routes rejected promises here too. A client error (a malformed %-escape) keeps its status.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A malformed %-escape in a page name (/runbooks/%E0%A4%A) names no page: 404, like any unknown name.
    if (err instanceof URIError && !res.headersSent) {
      res.status(404);
      html(res, errorPage(404, 'Not found'));
      return;
    }
    const status =
      typeof err === 'object' &&
      err !== null &&
      'status' in err &&
      typeof err.status === 'number' &&
      err.status >= 400 &&
      err.status < 500
        ? err.status
        : 500;
    if (status === 500) {
      log.error('request failed', { url: req.originalUrl, error: err instanceof Error ? err.message : String(err) });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status);
    html(res, errorPage(status, status === 500 ? 'Internal error' : 'Bad request'));
  });
  return app;
}

export function createServer(exporter: Exporter, log: Logger, options: ServerOptions = {}): http.Server {
  const server = http.createServer(
    {
      // Node's default, stated: a larger header block is answered 431.
      maxHeaderSize: 16 * 1024,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: options.checkIntervalMs ?? 1_000,
    },
    createApp(exporter, log),
  );
  return server;
}

/** The routes as a plain listener, for src/web/secure-server.ts to serve over http or https. */
export function requestListener(exporter: Exporter, log: Logger): http.RequestListener {
  return createApp(exporter, log);
}

/** The timeouts `createServer` sets, applied to a server made elsewhere (the TLS one). */
export function applyTimeouts(server: http.Server, options: ServerOptions = {}): void {
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
}

/** "0.0.0.0:9955", ":9955", "[::1]:9955", "127.0.0.1:0" → host and port. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new Error(`--web.listen-address: expected host:port, got "${address}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
