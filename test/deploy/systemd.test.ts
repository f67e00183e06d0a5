// deploy/systemd: the unit passes `systemd-analyze verify` (offline: no running systemd needed) and
// `systemd-analyze security --offline` at exposure 3.0 or better, with the hardening the README promises.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { missingCommands, skipWithout } from '../support/components.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNIT = path.join(ROOT, 'deploy/systemd/vmzombie-exporter.service');
let dir: string;
let unit: string;
let text: string;

beforeAll(async () => {
  if (unavailable) return;
  text = await readFile(UNIT, 'utf8');
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-unit-'));
  unit = path.join(dir, 'vmzombie-exporter.service');
  // verify checks that ExecStart's program exists; the package is not installed on the test machine,
  // so point it at this node binary (the rest of the unit is checked as written).
  await writeFile(unit, text.replace('/usr/local/bin/vmzombie-exporter', process.execPath));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const unavailable = skipWithout('systemd-analyze', missingCommands('systemd-analyze'));

describe.skipIf(unavailable)('vmzombie-exporter.service', () => {
  it('systemd-analyze verify accepts it without a word', async () => {
    const r = await execa('systemd-analyze', ['verify', unit], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stderr.trim(), '');
  });

  it('systemd-analyze security --offline rates it 3.0 or better', async () => {
    const r = await execa('systemd-analyze', ['security', '--offline=true', '--threshold=30', '--no-pager', unit], {
      reject: false,
    });
    const level = /Overall exposure level for [^:]+: ([\d.]+)/.exec(r.stdout)?.[1];
    assert.ok(level, r.stdout + r.stderr);
    assert.equal(r.exitCode, 0, `exposure ${level}`);
  });

  it('has the hardening and capabilities the README lists, and never hides processes', () => {
    const settings = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) settings.set(m[1] as string, [...(settings.get(m[1] as string) ?? []), m[2] as string]);
    }
    const one = (k: string) => settings.get(k)?.join(' ');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('ProtectHome'), 'read-only');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('PrivateTmp'), 'yes');
    assert.equal(one('ReadOnlyPaths'), '/');
    assert.equal(one('CapabilityBoundingSet'), 'CAP_SYS_PTRACE CAP_DAC_READ_SEARCH');
    assert.equal(one('AmbientCapabilities'), 'CAP_SYS_PTRACE CAP_DAC_READ_SEARCH');
    assert.equal(one('EnvironmentFile'), '-/etc/default/vmzombie-exporter');
    assert.match(one('ExecStart') ?? '', /\$VMZOMBIE_EXPORTER_ARGS/);
    assert.notEqual(one('ProtectProc'), 'invisible');
  });

  it('the environment file only sets the one variable the unit reads', async () => {
    const env = await readFile(path.join(ROOT, 'deploy/systemd/vmzombie-exporter.env'), 'utf8');
    const assignments = env
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    assert.deepEqual(assignments, ['VMZOMBIE_EXPORTER_ARGS']);
  });
});
