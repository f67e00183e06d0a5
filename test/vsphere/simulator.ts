// Test helper: builds the vSphere simulator main (./simulator/main.go, govmomi's simulator from
// Debian's golang-github-vmware-govmomi-dev) once per process into a temp dir, starts it on a free
// loopback port of the test range and stops it with SIGINT (which removes its datastore dirs).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GOPATH = '/usr/share/gocode';
const PORT_RANGE = { from: 18200, to: 18299 };

let built: Promise<string> | null = null;
let buildDir: string | null = null;

/** Why the simulator cannot be built here (no go, no govmomi sources), or null. */
export async function simulatorUnavailable(): Promise<string | null> {
  try {
    await buildSimulator();
    return null;
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function buildSimulator(): Promise<string> {
  built ??= (async () => {
    buildDir = await mkdtemp(path.join(os.tmpdir(), 'vmzombie-vcsim-'));
    const out = path.join(buildDir, 'vcsim-test');
    const cache = process.env.HOME
      ? path.join(process.env.HOME, '.cache', 'vmzombie-go-build')
      : path.join(buildDir, 'gocache');
    await new Promise<void>((resolve, reject) => {
      execFile(
        'go',
        ['build', '-o', out, '.'],
        {
          cwd: path.join(HERE, 'simulator'),
          timeout: 180_000,
          env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: cache, GOFLAGS: '' },
        },
        (err, _stdout, stderr) =>
          err ? reject(new Error(`building the vSphere simulator failed: ${err.message}\n${stderr}`)) : resolve(),
      );
    });
    return out;
  })();
  return built;
}

export async function freePort(): Promise<number> {
  const span = PORT_RANGE.to - PORT_RANGE.from + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = PORT_RANGE.from + ((start + i) % span);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 18200-18299');
}

export interface SimulatorOptions {
  vms?: number;
  hosts?: number;
  /** Local datastores LocalDS_0.. (the simulator's VMs all live on LocalDS_0). */
  datastores?: number;
  user?: string;
  pass?: string;
  tls?: boolean;
  /** How long to wait for it to listen (large inventories on a loaded machine take minutes). */
  startTimeoutMs?: number;
}

export interface Simulator {
  /** SDK URL with credentials, e.g. http://user:pass@127.0.0.1:18234/sdk */
  url: string;
  port: number;
  certFile: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const bin = await buildSimulator();
  const port = await freePort();
  const args = [`-listen=127.0.0.1:${port}`];
  if (opts.vms) args.push(`-vms=${opts.vms}`);
  if (opts.hosts) args.push(`-hosts=${opts.hosts}`);
  if (opts.datastores) args.push(`-datastores=${opts.datastores}`);
  if (opts.user) args.push(`-user=${opts.user}`, `-pass=${opts.pass ?? ''}`);
  if (opts.tls) args.push('-tls');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<{ url: string; certFile?: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`simulator did not start in ${(opts.startTimeoutMs ?? 60_000) / 1000}s: ${stderr}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}): ${stderr}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; certFile?: string });
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url: info.url,
    port,
    certFile: info.certFile ?? null,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Removes the build directory (call once at the end of a test file). */
export async function cleanupSimulatorBuild(): Promise<void> {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
}
