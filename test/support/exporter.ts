// Starts the real exporter (the same Exporter + HTTP server `serve` runs) on a loopback port.
import type { AddressInfo } from 'node:net';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { Exporter } from '../../src/exporter.js';
import { createServer } from '../../src/server.js';
import { silentLogger, type Logger } from '../../src/util/log.js';
import { parsePromText, type Sample } from './prom-text.js';

export interface RunningExporter {
  url: string;
  exporter: Exporter;
  scrape(): Promise<Sample[]>;
  get(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** `clock` (Unix seconds) replaces the wall clock of the collection, for exact ages; `port` 0 picks a free one. */
export async function startExporter(
  args: string[],
  log: Logger = silentLogger,
  clock?: () => number,
  port = 0,
): Promise<RunningExporter> {
  const { config } = parseArgs(
    ['serve', ...args],
    SOURCES.map((s) => s.name),
  );
  const exporter = new Exporter(config, log, { processMetrics: false, ...(clock ? { clock } : {}) });
  const server = createServer(exporter, log);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const res = await fetch(url + path);
    return { status: res.status, body: await res.text() };
  };
  return {
    url,
    exporter,
    get,
    scrape: async () => parsePromText((await get('/metrics')).body),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await exporter.close();
    },
  };
}
