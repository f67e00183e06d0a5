#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2
// Entry point: `serve` (default) runs the exporter, `snapshot` prints one collection as JSON,
// `scan` prints findings for this host or for a saved snapshot (--from).
// --max-semi-space-size=2 (MiB): V8's young generation otherwise grows to tens of MiB during a
// collection and stays there until the next one, +16 MiB of RSS on an idle agent for no speed it
// needs. MALLOC_MMAP_THRESHOLD_=131072: glibc's mmap threshold held at its default; left to adapt, it climbs
// to the largest buffer freed and the heap keeps tens of MiB of freed pages. npm start, the image and the
// benchmarks (scripts/shipped-launch.ts reads this line) start node the same way.
import { readFile } from 'node:fs/promises';
import type { Config } from './config/flags.js';
import { flagsHelp, parseArgs } from './flags.js';
import { SOURCES } from './families/index.js';
import { collectOnce, Exporter } from './exporter.js';
import { enabledSources, replay } from './engine/engine.js';
import { parseSnapshot } from './families/index.js';
import { KeepFile } from './keep/keep-file.js';
import { applyTimeouts, parseListenAddress, requestListener } from './server.js';
import { createWebServer } from './web/secure-server.js';
import { describeSnapshotMode, snapshotMode } from './web/snapshot-endpoint.js';
import { createLogger, type Logger } from './util/log.js';
import { findingsJson } from './outputs/findings-json.js';
import { textReport } from './outputs/report.js';
import { EXIT, scanExitCode } from './outputs/scan-exit.js';
import { redactSnapshot } from './outputs/redact.js';
import { VERSION } from './version.js';

const USAGE = `vmzombie-exporter ${VERSION}: finds virtualization resources that were never given back.

Usage:
  vmzombie-exporter [serve] [flags]     serve /metrics, /findings and a landing page
  vmzombie-exporter snapshot [flags]    collect once and print the snapshot as JSON
  vmzombie-exporter scan [flags]        collect once (or --from=FILE) and print the findings

scan exits 0 when nothing is found, 1 with only warning or info findings, 2 with any critical
finding, 3 when it could not judge (no collector succeeded, an unreadable --from file, a bad flag).
Findings still within their grace are printed but not counted.

snapshot prints everything the detectors read, unredacted: every process's full command line (with
any password or token passed as an argument), uid and open files, /proc/locks, this host's name,
domain names, uuids and disk paths, pool files, Kubernetes object and node names, vCenter and ESXi
names. --redact cuts command lines to what detection reads (secrets masked), replaces host and user
names and drops URL credentials: fit for a public bug report.
`;

async function main(argv: string[]): Promise<number> {
  // libuv's file-system threads (default 4) are shared by every collector; a few stuck in a hung
  // network filesystem must not starve the rest. Read when the pool first starts, i.e. after this.
  process.env.UV_THREADPOOL_SIZE ??= '16';
  // `--version` as every exporter answers it (the `version` command stays).
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs(
      argv,
      SOURCES.map((s) => s.name),
    );
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    // For scan, 2 means "critical findings"; a usage error is "could not judge".
    return argv[0] === 'scan' ? EXIT.unknown : 2;
  }
  const { config, help } = parsed;
  const command = parsed.command ?? 'serve';
  if (help) {
    process.stdout.write(`${USAGE}\n${flagsHelp(SOURCES)}\n`);
    return 0;
  }
  if (command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const log = createLogger(config['log.level'], config['log.json']);
  switch (command) {
    case 'serve':
      return serve(config, log);
    case 'snapshot':
      return snapshot(config, log);
    case 'scan':
      return scan(config, log);
    default:
      process.stderr.write(`error: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

async function serve(config: Config, log: Logger): Promise<number> {
  let listen;
  try {
    listen = parseListenAddress(config['web.listen-address']);
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { host, port } = listen;
  let snapshotEndpoint;
  try {
    snapshotEndpoint = snapshotMode(config);
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const exporter = new Exporter(config, log);
  let server;
  try {
    server = createWebServer(requestListener(exporter, log), config['web.config.file'], log).server;
    applyTimeouts(server);
  } catch (e: unknown) {
    process.stderr.write(`error: --web.config.file: ${e instanceof Error ? e.message : String(e)}\n`);
    await exporter.close();
    return 2;
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e: unknown) {
    process.stderr.write(
      `error: cannot listen on ${config['web.listen-address']}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    await exporter.close();
    return 1;
  }
  const address = server.address();
  log.info('listening', {
    address: typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
    collectors: exporter.sourceNames,
    snapshot: snapshotEndpoint,
  });
  const snapshotLine = describeSnapshotMode(snapshotEndpoint);
  if (snapshotEndpoint === 'raw') log.warn(snapshotLine);
  else log.info(snapshotLine);
  void exporter.refresh().catch((e: unknown) => log.error('first collection failed', { error: String(e) }));
  await new Promise<void>((resolve) => {
    // Later signals are ignored, not fatal: a runtime that shares the host's PID namespace signals
    // every process of the container (tini forwards the same SIGTERM a moment later).
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  await exporter.close();
  return 0;
}

/** On a terminal, one line on stderr while the collectors run; nothing when stderr is piped. */
function progress(names: readonly string[]): () => void {
  if (!process.stderr.isTTY) return () => {};
  const started = Date.now();
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r\u001b[2Kcollecting ${names.join(', ')} … ${seconds} s`);
  };
  draw();
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\u001b[2K');
  };
}

/** One collection (`scan`, `snapshot`), with the progress line on a terminal. */
async function collect(config: Config, log: Logger) {
  const done = progress(enabledSources(config).map((s) => s.name));
  try {
    return await collectOnce(config, log);
  } finally {
    done();
  }
}

async function snapshot(config: Config, log: Logger): Promise<number> {
  const { snapshot: snap } = await collect(config, log);
  process.stdout.write(JSON.stringify(config.redact ? redactSnapshot(snap) : snap, null, 2) + '\n');
  return 0;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (no-color.org) or TERM is dumb. */
function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

async function scan(config: Config, log: Logger): Promise<number> {
  if (config.output !== 'text' && config.output !== 'json') {
    process.stderr.write(`error: --output: expected text or json, got "${config.output}"\n`);
    return EXIT.unknown;
  }
  let result;
  if (config.from) {
    let snap;
    try {
      snap = parseSnapshot(JSON.parse(await readFile(config.from, 'utf8')));
    } catch (e: unknown) {
      process.stderr.write(`error: ${config.from}: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.unknown;
    }
    const keep = config['keep.file'] ? await new KeepFile(config['keep.file']).load() : undefined;
    result = replay(config, snap, keep);
  } else {
    result = await collect(config, log);
  }
  process.stdout.write(
    config.output === 'json'
      ? JSON.stringify(findingsJson(result.snapshot, result.detection), null, 2) + '\n'
      : textReport(result.snapshot, result.detection, { colour: useColour(process.stdout, process.env) }),
  );
  return scanExitCode(result.snapshot, result.detection);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
