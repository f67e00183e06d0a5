// A long-lived `virsh -q -r -c URI` reading commands on stdin: one process and one connection
// serve every collection, whatever the number of domains. Each command is followed by an echoed
// marker so the outputs can be told apart; a hung or dead shell is killed and restarted next time.
import type { ResultPromise, execa as Execa } from 'execa';
import { SourceAbsentError } from '../source-absent-error.js';
import { errorCode } from '../../util/fs-errors.js';

const MARK = '@@VMZ@@';
/** Written split in two so the echoed command line never contains the marker itself. */
const markCommand = (n: number) => `echo "@@VMZ""@@ ${n}"`;
/**
 * The same marker on stderr ("error: @@VMZ@@ n"). stdout and stderr are two pipes read
 * independently: without it a command's error could arrive after the run ended and be blamed
 * on the next one (or lost).
 */
const errMarkCommand = (n: number) => `echo --err "@@VMZ""@@ ${n}"`;

export interface VirshRun {
  /** stdout of each command, in order, with virsh's prompt echo removed. */
  outputs: string[];
  /** Everything virsh wrote to stderr during the run (per-command errors). */
  stderr: string;
}

/**
 * Each line virsh wrote to stderr becomes a problem, except those `gone` matches: an item listed a moment ago
 * and removed before its own command ran is routine, not a problem.
 */
export function noteStderr(stderr: string, problems: string[], gone?: RegExp): void {
  for (const line of stderr.split('\n')) if (line.trim() && !gone?.test(line)) problems.push(line.trim());
}

const SPAWN_OPTIONS = {
  stdin: 'pipe',
  stdout: 'pipe',
  stderr: 'pipe',
  buffer: false,
  reject: false,
  env: { LC_ALL: 'C', LANG: 'C' },
  extendEnv: true,
} as const;
type Shell = ResultPromise<typeof SPAWN_OPTIONS>;

/** execa (about a hundred modules) is loaded when a shell is first needed: the RPC transport never needs one. */
let execaModule: Promise<{ execa: typeof Execa }> | null = null;
const loadExeca = () => (execaModule ??= import('execa'));

export class VirshShell {
  private proc: Shell | null = null;
  private stdout = '';
  private stderr = '';
  private exited: string | null = null;
  private seq = 0;
  private waiter: (() => void) | null = null;

  constructor(
    private readonly virsh: string,
    private readonly uri: string,
  ) {}

  private start(execa: typeof Execa): Shell {
    this.stdout = '';
    this.stderr = '';
    this.exited = null;
    const proc = execa(this.virsh, ['-q', '-r', '-c', this.uri], SPAWN_OPTIONS);
    // A killed shell's late output or exit must not leak into the shell that replaced it.
    const current = () => this.proc === proc;
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      if (current()) {
        this.stdout += chunk;
        this.waiter?.();
      }
    });
    proc.stderr?.on('data', (chunk: string) => {
      if (current()) {
        this.stderr += chunk;
        this.waiter?.();
      }
    });
    proc.stdin?.on('error', () => {
      /* EPIPE when virsh exits first; reported through exit */
    });
    proc.then(
      (result) => {
        if (!current()) return;
        const spawnCode = errorCode(result.cause);
        this.exited =
          spawnCode === 'ENOENT' ? 'ENOENT' : `virsh exited (${result.exitCode ?? result.signal ?? 'unknown'})`;
        this.proc = null;
        this.waiter?.();
      },
      () => {},
    );
    this.proc = proc;
    return proc;
  }

  /** Runs commands and returns their outputs; their stderr lines go to `problems` (`noteStderr`). */
  async outputs(commands: readonly string[], signal: AbortSignal, problems: string[], gone: RegExp): Promise<string[]> {
    if (commands.length === 0) return [];
    const run = await this.run(commands, signal);
    noteStderr(run.stderr, problems, gone);
    return run.outputs;
  }

  /** Runs commands (no newlines in them) and returns their outputs; kills the shell on abort. */
  async run(commands: readonly string[], signal: AbortSignal): Promise<VirshRun> {
    signal.throwIfAborted();
    const { execa } = await loadExeca();
    signal.throwIfAborted();
    const proc = this.proc ?? this.start(execa);
    const first = this.seq + 1;
    let script = '';
    for (const cmd of commands) {
      if (/[\n\r]/.test(cmd)) throw new Error('virsh command must be a single line');
      script += `${cmd}\n${markCommand(++this.seq)}\n`;
    }
    const last = ++this.seq;
    script += `${errMarkCommand(last)}\n${markCommand(last)}\n`;
    const stderrStart = this.stderr.length;
    proc.stdin?.write(script);
    const endMark = `${MARK} ${last}`;
    await new Promise<void>((resolve, reject) => {
      // Search only what arrived since the last look (plus a marker's length of overlap): scanning
      // the whole transcript on every chunk made long batches quadratic.
      let outFrom = 0;
      let errFrom = stderrStart;
      let outSeen = false;
      let errSeen = false;
      const check = () => {
        if (!outSeen) {
          outSeen = this.stdout.indexOf(endMark, outFrom) >= 0;
          outFrom = Math.max(0, this.stdout.length - endMark.length);
        }
        if (!errSeen) {
          errSeen = this.stderr.indexOf(endMark, errFrom) >= 0;
          errFrom = Math.max(stderrStart, this.stderr.length - endMark.length);
        }
        if (outSeen && errSeen) return done(resolve);
        if (this.exited !== null) {
          const why = this.exited;
          const err = this.stderr.trim();
          if (why === 'ENOENT')
            return done(() =>
              reject(new SourceAbsentError(`${this.virsh} not found: libvirt client tools are not installed`)),
            );
          if (/Failed to connect socket to .*No such file or directory/.test(err)) {
            return done(() => reject(new SourceAbsentError(`libvirt is not running at ${this.uri}: ${lastLine(err)}`)));
          }
          return done(() => reject(new Error(`${why}: ${lastLine(err) || 'no error output'}`)));
        }
      };
      const onAbort = () => {
        this.kill();
        done(() => reject(signal.reason instanceof Error ? signal.reason : new Error('virsh aborted')));
      };
      const done = (finish: () => void) => {
        this.waiter = null;
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = check;
      check();
    });
    const text = this.stdout.slice(0, this.stdout.indexOf(endMark) + endMark.length);
    this.stdout = this.stdout.slice(text.length);
    const outputs = splitOutputs(text, commands, first);
    const errMark = this.stderr.indexOf(endMark, stderrStart);
    const stderr = this.stderr.slice(stderrStart, this.stderr.lastIndexOf('\n', errMark) + 1);
    const errLineEnd = this.stderr.indexOf('\n', errMark);
    this.stderr = errLineEnd < 0 ? '' : this.stderr.slice(errLineEnd + 1);
    return { outputs, stderr };
  }

  kill(): void {
    this.proc?.kill('SIGKILL');
    this.proc = null;
  }

  async close(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    proc.stdin?.end('quit\n');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    await proc.catch(() => {});
    clearTimeout(timer);
  }
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** Cuts the shell transcript at the markers and strips the prompt lines virsh echoes. */
export function splitOutputs(text: string, commands: readonly string[], firstSeq: number): string[] {
  const outputs: string[] = [];
  let pos = 0;
  for (const [i, cmd] of commands.entries()) {
    const mark = `${MARK} ${firstSeq + i}`;
    const end = text.indexOf(mark, pos);
    if (end < 0) {
      outputs.push('');
      continue;
    }
    let segment = text.slice(pos, end);
    pos = end + mark.length;
    // Leading "virsh > <cmd>" (or "virsh # "), echoed before the output.
    const firstNl = segment.indexOf('\n');
    if (firstNl >= 0 && /^virsh [>#] /.test(segment) && segment.slice(0, firstNl).endsWith(cmd))
      segment = segment.slice(firstNl + 1);
    // Trailing "virsh > echo ..." line that produced the marker.
    const echoAt = segment.lastIndexOf(markCommand(firstSeq + i));
    if (echoAt >= 0) segment = segment.slice(0, segment.lastIndexOf('\n', echoAt) + 1);
    outputs.push(segment);
  }
  return outputs;
}
