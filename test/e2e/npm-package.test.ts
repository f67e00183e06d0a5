// The npm package as a user gets it: `npm pack` of the dist/ that `npm run build` made, then install
// the tarball into an empty folder and run `npx vmzombie-exporter --version` there (dependencies come
// from the registry, as for any user).
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { assertBuilt } from '../support/built-cli.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;
let tarball: string;
let files: string[];

beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-pack-'));
  const { stdout } = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
    timeout: 180_000,
  });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  assert.ok(info);
  tarball = path.join(dir, info.filename);
  files = info.files.map((f) => f.path);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm package', () => {
  it('holds the built CLI, the runbooks and the generated bundle, and no sources or tests', () => {
    assert.ok(files.includes('dist/cli.js'));
    assert.ok(files.includes('package.json') && files.includes('README.md'));
    assert.ok(files.includes('deploy/systemd/vmzombie-exporter.service'));
    assert.ok(files.includes('dist/sources/hyperv/collect.ps1'), 'the Hyper-V script is packed');
    // Present once they are generated into the repository; every file of these folders ships.
    for (const folder of ['docs/runbooks', 'alerts', 'dashboards']) {
      if (existsSync(path.join(ROOT, folder)))
        assert.ok(
          files.some((f) => f.startsWith(`${folder}/`)),
          `${folder}/ is packed`,
        );
    }
    assert.deepEqual(
      files.filter((f) => /^(src|test|scripts)\//.test(f) || f.endsWith('.map')),
      [],
    );
  });

  it('installs into an empty folder and `npx vmzombie-exporter --version` prints the version', async () => {
    const app = path.join(dir, 'app');
    await execa('mkdir', [app]);
    await writeFile(path.join(app, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: app,
      timeout: 300_000,
    });
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await execa('npx', ['--no-install', 'vmzombie-exporter', '--version'], { cwd: app, timeout: 60_000 });
    assert.equal(r.stdout.trim(), version);
    const help = await execa('npx', ['--no-install', 'vmzombie-exporter', '--help'], { cwd: app, timeout: 60_000 });
    assert.match(help.stdout, /--web\.config\.file/);
  });
});
