// The runbook pages: every alert renders, a kind leads to its alert's page, any other name (paths,
// dots, encoded slashes) is null and served as 404, raw HTML is escaped, unsafe links neutralised,
// and the runbooks ship in the npm package.
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ALERT_NAMES } from '../../src/bundle/alerts.js';
import {
  renderMarkdown,
  renderRunbook,
  renderRunbookIndex,
  renderRunbookPath,
} from '../../src/outputs/runbook-pages.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';

// `npm pack` runs for real.
// Their wall time grows with the machine's load: a 2-core machine shared at a load of 12 per core
// stretches it past the 30 s default. The timeout only catches a hang.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('runbook pages', () => {
  it("renders every alert's runbook, and a kind id to its alert's runbook", () => {
    for (const name of ALERT_NAMES) {
      const html = renderRunbook(name);
      assert.ok(html?.includes(`<h1>${name}</h1>`) && html.includes('<h2>Mitigation</h2>'), name);
    }
    assert.equal(renderRunbook('qemu_without_domain'), renderRunbook('VMZombieQemuWithoutDomain'));
  });

  it('anything else is null: unknown names, paths, dots and encoded slashes', () => {
    for (const name of [
      'Nope',
      '',
      '.',
      '..',
      '../package.json',
      'VMZombieQemuWithoutDomain.md',
      'VMZombieQemuWithoutDomain/',
      '/etc/passwd',
      'README',
      '__proto__',
      'constructor',
    ]) {
      assert.equal(renderRunbook(name), null, name);
    }
    for (const segment of [
      '..%2F..%2Fpackage.json',
      '%2e%2e%2fpackage.json',
      '..%5Cpackage.json',
      '%E0%A4%A',
      'VMZombieQemuWithoutDomain%00',
      '%2Fetc%2Fpasswd',
    ]) {
      assert.equal(renderRunbookPath(segment), null, segment);
    }
    assert.ok(renderRunbookPath('VMZombie%51emuWithoutDomain'), 'an encoded letter is still the name');
  });

  it('escapes raw HTML and neutralises script links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n' +
        '[x](javascript:alert(1)) [y](https://example.com/) [z](VMZombieTapWithoutDomain.md)\n',
    );
    assert.ok(!html.includes('<script>') && html.includes('&lt;script&gt;'));
    assert.ok(!html.includes('javascript:'));
    assert.ok(html.includes('href="https://example.com/"') && html.includes('href="VMZombieTapWithoutDomain"'));
  });

  it('the index links every runbook and anchors each kind', () => {
    const index = renderRunbookIndex();
    for (const name of ALERT_NAMES) assert.ok(index.includes(`href="/runbooks/${name}"`), name);
    assert.ok(index.includes('id="tap_without_domain"'));
  });

  it('the npm package ships the runbooks', async () => {
    const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const packed = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = new Set(packed[0]!.files.map((f) => f.path));
    for (const name of ALERT_NAMES) assert.ok(files.has(`docs/runbooks/${name}.md`), name);
  });
});

describe('the exporter serves them', () => {
  let exporter: RunningExporter;
  beforeAll(async () => {
    exporter = await startExporter([
      '--no-collector.libvirt',
      '--no-collector.procfs',
      '--no-collector.sysfs',
      '--no-collector.pools',
    ]);
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('/runbooks and /runbooks/<AlertName> are 200; unknown names and crafted paths 404', async () => {
    assert.equal((await exporter.get('/runbooks')).status, 200);
    const page = await exporter.get('/runbooks/VMZombieDomainPaused');
    assert.equal(page.status, 200);
    assert.match(page.body, /virsh -r domstate --reason &lt;uuid&gt;/);
    for (const p of [
      '/runbooks/Nope',
      '/runbooks/..%2Fpackage.json',
      '/runbooks/%2e%2e%2f%2e%2e%2fpackage.json',
      '/runbooks/VMZombieDomainPaused/x',
      '/runbooks/%E0%A4%A',
    ]) {
      assert.equal((await exporter.get(p)).status, 404, p);
    }
  });
});
