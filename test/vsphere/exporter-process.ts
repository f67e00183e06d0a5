// Test helper: runs the built exporter CLI (`dist/cli.js serve`) as a child process on a free port of
// the test range, scrapes it, and stops it by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './simulator.js';
import { parsePromText, type Sample } from '../support/prom-text.js';
import { assertBuilt, CLI, ROOT } from '../support/built-cli.js';

export type { Sample };

export interface ExporterProcess {
  port: number;
  process: ChildProcess;
  logs(): string;
  get(pathname: string, timeoutMs?: number): Promise<string>;
  metrics(): Promise<Sample[]>;
  stop(): Promise<void>;
}

export async function startExporter(flags: string[]): Promise<ExporterProcess> {
  await assertBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', `--web.listen-address=127.0.0.1:${port}`, ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr?.on('data', (d: Buffer) => {
    logs = (logs + d.toString()).slice(-20000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const get = async (pathname: string, timeoutMs = 20_000) => {
    const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`GET ${pathname}: HTTP ${res.status}`);
    return res.text();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await get('/-/healthy', 1000);
      break;
    } catch (e: unknown) {
      if (child.exitCode !== null) throw new Error(`exporter exited (${child.exitCode}): ${logs}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`exporter did not listen in 30s: ${String(e)} ${logs}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    process: child,
    logs: () => logs,
    get,
    metrics: async () => parsePromText(await get('/metrics')),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up; returns the last value. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
