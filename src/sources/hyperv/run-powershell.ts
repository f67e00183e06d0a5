// Runs collect.ps1 in one PowerShell process (Windows PowerShell 5.1's powershell.exe or
// PowerShell 7's pwsh, by --hyperv.powershell) and returns what it printed. The script is read by
// the process itself and run as a script block, so no execution policy or signing applies to a file,
// and its arguments travel in the environment. On abort (the collector timeout) the whole process
// tree is killed: taskkill /T on Windows, the process group elsewhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { SourceAbsentError } from '../source-absent-error.js';

export interface RunScriptOptions {
  executable: string;
  scriptPath: string;
  /** Extra environment variables the script reads (VMZOMBIE_HYPERV_PART, VMZOMBIE_HYPERV_DIRS). */
  env: Record<string, string>;
  signal: AbortSignal;
  /** Output beyond this is an error (a runaway script), not memory. */
  maxOutputBytes?: number;
}

const COMMAND =
  '& ([scriptblock]::Create([System.IO.File]::ReadAllText($env:VMZOMBIE_HYPERV_SCRIPT, ' +
  '[System.Text.Encoding]::UTF8)))';

export const POWERSHELL_ARGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', COMMAND] as const;

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    const killer = spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    killer.on('error', () => child.kill());
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function tail(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `…${one.slice(-300)}` : one;
}

/** Resolves with stdout when the process exits 0; rejects with a readable error otherwise. */
export function runScript(opts: RunScriptOptions): Promise<string> {
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise<string>((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted before start'));
      return;
    }
    const child = spawn(opts.executable, [...POWERSHELL_ARGS], {
      env: { ...process.env, ...opts.env, VMZOMBIE_HYPERV_SCRIPT: opts.scriptPath },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the tree can be killed as one (not on Windows: taskkill /T).
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failure: Error | null = null;
    const fail = (e: Error) => {
      failure ??= e;
      killTree(child);
    };
    const onAbort = () => {
      const reason = opts.signal.reason instanceof Error ? opts.signal.reason.message : 'aborted';
      fail(new Error(`${opts.executable} stopped (${reason}); its process tree was killed`));
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > max) fail(new Error(`${opts.executable} printed more than ${max} bytes; stopped`));
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.reduce((n, x) => n + x.length, 0) < 64 * 1024) err.push(b);
    });
    // A process that could not start may never emit 'close': settle here (a second settle is a no-op).
    child.on('error', (e: NodeJS.ErrnoException) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (e.code === 'ENOENT') reject(new SourceAbsentError(`${opts.executable} not found`, { cause: e }));
      else reject(failure ?? new Error(`${opts.executable} could not be started: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        const how = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
        return reject(new Error(`${opts.executable} ${how}${stderr.trim() ? `: ${tail(stderr)}` : ''}`));
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
