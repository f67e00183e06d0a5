// HTTP server: /metrics, the landing page, /findings (HTML and JSON), /snapshot.json, /-/healthy,
// /-/ready. A scrape waits for the shared collection at most its budget (scrape-budget.ts).
import http from 'node:http';
import type { Exporter } from './exporter.js';
import { scrapeBudgetSeconds } from './engine/scrape-budget.js';
import { findingsJson } from './outputs/findings-json.js';
import { findingsPage, landingPage } from './outputs/pages.js';
import { renderRunbookIndex, renderRunbookPath } from './outputs/runbook-pages.js';
import type { Logger } from './util/log.js';

export function createServer(exporter: Exporter, log: Logger): http.Server {
  return http.createServer(requestListener(exporter, log));
}

/** The routes as a plain listener, for src/web/secure-server.ts to serve over http or https. */
export function requestListener(exporter: Exporter, log: Logger): http.RequestListener {
  return (req, res) => {
    handle(exporter, req, res).catch((e: unknown) => {
      log.error('request failed', { url: req.url, error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  };
}

async function handle(exporter: Exporter, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  switch (url.pathname) {
    case '/metrics': {
      const budget = scrapeBudgetSeconds(req.headers['x-prometheus-scrape-timeout-seconds'], {
        offsetSeconds: exporter.config['web.scrape-timeout-offset'],
        fallbackSeconds: exporter.config['web.scrape-budget'],
      });
      await exporter.collection.withBudget(budget, () => exporter.refresh());
      return send(200, exporter.metrics.contentType, await exporter.metrics.metrics());
    }
    case '/': {
      const last = exporter.last() ?? await exporter.refresh();
      return send(200, 'text/html; charset=utf-8', landingPage(last.snapshot, last.detection));
    }
    case '/findings': {
      const { snapshot, detection } = await exporter.refresh();
      return send(200, 'text/html; charset=utf-8', findingsPage(snapshot, detection));
    }
    case '/findings.json': {
      const { snapshot, detection } = await exporter.refresh();
      return send(200, 'application/json', JSON.stringify(findingsJson(snapshot, detection), null, 2));
    }
    case '/snapshot.json': {
      const { snapshot } = await exporter.refresh();
      return send(200, 'application/json', JSON.stringify(snapshot));
    }
    case '/-/healthy':
      return send(200, 'text/plain', 'OK\n');
    case '/-/ready':
      return exporter.last() ? send(200, 'text/plain', 'Ready\n') : send(503, 'text/plain', 'first collection not finished\n');
    case '/runbooks':
      return send(200, 'text/html; charset=utf-8', renderRunbookIndex());
    default: {
      const runbook = url.pathname.startsWith('/runbooks/') ? renderRunbookPath(url.pathname.slice('/runbooks/'.length)) : null;
      return runbook === null ? send(404, 'text/plain', 'not found\n') : send(200, 'text/html; charset=utf-8', runbook);
    }
  }
}

/** "0.0.0.0:9955", ":9955", "[::1]:9955", "127.0.0.1:0" → host and port. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new Error(`--web.listen-address: expected host:port, got "${address}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
