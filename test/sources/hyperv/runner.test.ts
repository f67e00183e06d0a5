// The PowerShell runner and the hyperv reader, with a stand-in executable in place of powershell.exe
// (test/sources/hyperv/stand-in-powershell; no Windows host runs here): the arguments and script it
// is given, timeout and abort killing the whole process tree, bad JSON, a warning printed first, an
// empty pipeline, a failing process, a missing executable, and the file scan on its own interval.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POWERSHELL_ARGS, runScript } from '../../../src/sources/hyperv/run-powershell.js';
import { bundledScriptPath, HypervReader } from '../../../src/sources/hyperv/hyperv-source.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import { createLogger } from '../../../src/util/log.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STAND_IN = path.join(HERE, 'stand-in-powershell');
const FIXTURES = path.join(HERE, '../../fixtures/hyperv');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'vmz-hyperv-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function run(mode: string, env: Record<string, string> = {}, signal = new AbortController().signal) {
  return runScript({
    executable: STAND_IN,
    scriptPath: bundledScriptPath(),
    env: {
      STAND_IN_MODE: mode,
      STAND_IN_INVENTORY: path.join(FIXTURES, 'inventory-ps7.txt'),
      STAND_IN_FILES: path.join(FIXTURES, 'files-ps7.txt'),
      ...env,
    },
    signal,
  });
}

describe('runScript', () => {
  it('runs the shipped collect.ps1 as a script block, without profile, non-interactive', async () => {
    const args = path.join(tmp(), 'args');
    const out = await run('print', { STAND_IN_ARGS: args, VMZOMBIE_HYPERV_PART: 'inventory' });
    expect(out).toBe(readFileSync(path.join(FIXTURES, 'inventory-ps7.txt'), 'utf8'));
    const lines = readFileSync(args, 'utf8').split('\n');
    expect(lines.slice(0, POWERSHELL_ARGS.length)).toEqual([...POWERSHELL_ARGS]);
    expect(lines).toContain('-NoProfile');
    const script = lines.find((l) => l.startsWith('SCRIPT='))?.slice(7) ?? '';
    expect(script.endsWith(path.join('sources', 'hyperv', 'collect.ps1'))).toBe(true);
    expect(existsSync(script)).toBe(true);
  });

  it('on abort (the collector timeout) kills the process and its child, and says so', async () => {
    const pidfile = path.join(tmp(), 'pid');
    const started = Date.now();
    const running = run('hang', { STAND_IN_PIDFILE: pidfile }, AbortSignal.timeout(700));
    await waitFor(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '');
    const child = Number(readFileSync(pidfile, 'utf8'));
    expect(alive(child)).toBe(true);
    await expect(running).rejects.toThrow(/stopped \(.*\); its process tree was killed/);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => !alive(child));
  });

  it('fails clearly on bad JSON, an empty pipeline, a failing process and a missing executable', async () => {
    const { parseInventoryOutput } = await import('../../../src/sources/hyperv/script-output.js');
    expect(() => parseInventoryOutput('')).toThrow(/printed nothing/);
    await expect(run('bad-json').then(parseInventoryOutput)).rejects.toThrow(/bad JSON/);
    await expect(run('empty').then(parseInventoryOutput)).rejects.toThrow(/printed nothing \(empty pipeline\)/);
    await expect(run('fail')).rejects.toThrow(/exited with code 1: Get-VM : The term 'Get-VM' is not recognized/);
    const missing = runScript({
      executable: path.join(tmp(), 'no-such-pwsh'),
      scriptPath: bundledScriptPath(),
      env: {},
      signal: new AbortController().signal,
    });
    await expect(missing).rejects.toSatisfy(isSourceAbsentError);
  });
});

describe('HypervReader', () => {
  const log = createLogger('error', false);
  function reader(env: Record<string, string>, clock: () => number, over: { scanTimeoutSeconds?: number } = {}) {
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    return new HypervReader(
      {
        powershell: STAND_IN,
        scriptPath: bundledScriptPath(),
        vmDirs: ['E:\\Server25'],
        scanIntervalSeconds: 900,
        scanTimeoutSeconds: over.scanTimeoutSeconds ?? 10,
        clock,
      },
      log,
    );
  }
  afterEach(() => {
    for (const k of ['STAND_IN_MODE', 'STAND_IN_INVENTORY', 'STAND_IN_FILES', 'STAND_IN_PIDFILE', 'STAND_IN_ARGS'])
      delete process.env[k];
  });

  it('reads the inventory every time and the files on their own interval, a warning kept as a problem', async () => {
    let now = 1_760_950_000;
    const args = path.join(tmp(), 'args');
    const r = reader(
      {
        STAND_IN_MODE: 'print',
        STAND_IN_INVENTORY: path.join(FIXTURES, 'inventory-ps51.txt'),
        STAND_IN_FILES: path.join(FIXTURES, 'files-ps7.txt'),
        STAND_IN_ARGS: args,
      },
      () => now,
    );
    const first = await r.read(new AbortController().signal);
    expect(first.vms).toHaveLength(3);
    expect(first.files.scannedAt).toBe(now);
    expect(first.files.dirs[0]?.files).toHaveLength(4);
    expect(first.problems[0]).toMatch(/^PowerShell printed: WARNING:/);
    expect(first.problems).toContain("file scan of D:\\Hyper-V: Access to the path 'D:\\Hyper-V\\Locked' is denied.");
    expect(readFileSync(args, 'utf8')).toContain('DIRS=["E:\\\\Server25"]');
    now += 60;
    const second = await r.read(new AbortController().signal);
    expect(second.files.scannedAt).toBe(now - 60);
    expect(readFileSync(args, 'utf8')).toContain('PART=inventory');
    await r.close();
  });

  it('a file scan that hangs is killed on its own timeout; the inventory is still served', async () => {
    const pidfile = path.join(tmp(), 'pid');
    const r = reader(
      {
        STAND_IN_MODE: 'hang-files',
        STAND_IN_INVENTORY: path.join(FIXTURES, 'inventory-ps7.txt'),
        STAND_IN_PIDFILE: pidfile,
      },
      () => Date.now() / 1000,
      { scanTimeoutSeconds: 1 },
    );
    const section = await r.read(new AbortController().signal);
    expect(section.vms).toHaveLength(3);
    await waitFor(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '');
    const child = Number(readFileSync(pidfile, 'utf8'));
    await waitFor(() => !alive(child));
    await r.close();
    const later = await r.read(new AbortController().signal).catch((e: unknown) => e);
    expect(later).toMatchObject({ files: { scannedAt: null, error: expect.stringMatching(/stopped/) as unknown } });
  });
});
