// The operator surface end to end on a real libvirtd + QEMU host with zombies: the findings page in
// headless Chromium (every finding with severity and runbook link, a working filter, no sideways
// scrolling at desktop and phone width, screenshots), `scan` exit code and JSON, `snapshot --redact`,
// and a snapshot round-trip.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { CATALOG } from '../../src/catalog/catalog.js';
import type { FindingKind } from '../../src/detectors/finding.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { assertBuilt, CLI, ROOT } from '../support/built-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const unavailable = skipWithout(
  'a real libvirtd with QEMU and Chromium',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'flock', CHROMIUM),
);
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const NOW_GRACES = [
  '--detect.grace=0s',
  '--detect.paused-grace=0s',
  '--detect.shutdown-grace=0s',
  '--detect.autostart-grace=0s',
];
const QUIET = ['--log.level=error'];
const ONLY_HOST = ['--no-collector.pools', '--no-collector.sysfs'];

interface JsonFinding {
  kind: FindingKind;
  subject: string;
  severity: string;
  labels: object;
  reclaimable: object;
  evidence: object;
  command: string;
  runbook: string;
}
interface Article {
  kind: string;
  severity: string;
  badge: string;
  title: string;
  runbook: string | null;
}

async function articles(page: Page): Promise<Article[]> {
  return page.$$eval('article.finding', (els) =>
    els.map((el) => ({
      kind: el.getAttribute('data-kind') ?? '',
      severity: el.getAttribute('data-severity') ?? '',
      badge: el.querySelector('.badge')?.textContent ?? '',
      title: el.querySelector('h3')?.textContent ?? '',
      runbook: el.querySelector('a.runbook')?.getAttribute('href') ?? null,
    })),
  );
}

async function overflow(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  // A string, evaluated in the page: this project's TypeScript has no DOM types.
  return page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth })');
}

describe.skipIf(unavailable)('operator surface on a real libvirt host', () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  let browser: Browser;
  const cmdlines: string[] = [];
  let strayName = '';

  beforeAll(async () => {
    await assertBuilt();
    // Images where a real host keeps them, so the page (and its screenshot) shows realistic paths.
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = '/var/lib/libvirt/images';
    try {
      host = await LibvirtTestHost.acquire();
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    const t = host.tag;
    strayName = `web-${t} "old" & <b>`;
    const images = {
      healthy: await host.createImage('healthy.qcow2'),
      victim: await host.createImage('db.qcow2'),
      off: await host.createImage('web.qcow2'),
      paused: await host.createImage('batch.qcow2'),
    };
    const ids = {
      healthy: await host.define({ name: `vmzt-${t}-app`, disks: [{ path: images.healthy }] }),
      victim: await host.define({ name: `vmzt-${t}-db`, disks: [{ path: images.victim }] }),
      off: await host.define({ name: `vmzt-${t}-web`, disks: [{ path: images.off }] }),
      paused: await host.define({ name: `vmzt-${t}-batch`, disks: [{ path: images.paused }], memoryMiB: 48, vcpus: 2 }),
    };
    for (const id of [ids.healthy, ids.victim, ids.paused]) await host.virsh('start', id);
    await host.virsh('suspend', ids.paused);
    const stray = await host.startStrayQemu(strayName, images.off, { memoryMiB: 40 });
    const flock = await host.holdFlock(images.victim);
    for (const pid of [stray, flock, await host.qemuPid(ids.healthy), await host.qemuPid(ids.victim)]) {
      cmdlines.push((await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' '));
    }
    // One collection serves every request, so the page, the JSON and the snapshot agree.
    exporter = await startExporter([
      ...NOW_GRACES,
      ...ONLY_HOST,
      '--collector.min-interval=1h',
      '--web.enable-snapshot',
      '--web.snapshot-unredacted',
    ]);
    // Root in a container has no user namespace for Chromium's sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
    await host?.release();
  });

  const expectedKinds: FindingKind[] = [
    'domain_paused',
    'image_locked_by_foreign_process',
    'image_locked_while_domain_inactive',
    'qemu_without_domain',
  ];

  it('the findings page shows every finding with its severity and runbook link', async () => {
    const json = JSON.parse((await exporter.get('/findings.json')).body) as { findings: JsonFinding[] };
    assert.deepEqual(json.findings.map((f) => f.kind).sort(), expectedKinds);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const response = await page.goto(`${exporter.url}/findings`);
    assert.equal(response?.status(), 200);
    const shown = await articles(page);
    assert.deepEqual(shown.map((a) => a.kind).sort(), expectedKinds);
    for (const a of shown) {
      const spec = CATALOG[a.kind as FindingKind];
      assert.equal(a.badge, spec.alert.severity, a.kind);
      assert.equal(a.severity, spec.alert.severity);
      assert.equal(a.title, spec.title);
      assert.equal(a.runbook, `/runbooks/${spec.alert.name}`);
      const runbook = await exporter.get(a.runbook ?? '');
      assert.equal(runbook.status, 200, `${a.runbook} resolves`);
      assert.match(runbook.body, new RegExp(`<title>${spec.alert.name}</title>`));
    }
    // Most severe first: the live disk locked by a stranger leads.
    assert.equal(shown[0]?.severity, 'critical');
    // The awkward guest name arrives as text, not markup.
    assert.ok((await page.locator('.subject').allTextContents()).some((s) => s.startsWith(strayName)));
    assert.equal(await page.locator('article b').count(), 0);
    await page.close();
  });

  it('a filter narrows the list, through the form and the query string', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${exporter.url}/findings`);
    const all = (await articles(page)).length;
    await page.selectOption('select[name=severity]', 'critical');
    await Promise.all([page.waitForURL(/severity=critical/), page.click('form.filters button[type=submit]')]);
    const critical = await articles(page);
    assert.ok(critical.length > 0 && critical.length < all, `${critical.length} of ${all}`);
    assert.ok(critical.every((a) => a.severity === 'critical'));
    await page.goto(`${exporter.url}/findings?kind=domain_paused`);
    assert.deepEqual(
      (await articles(page)).map((a) => a.kind),
      ['domain_paused'],
    );
    await page.close();
  });

  it('no horizontal scrolling at 1400 px and at 390 px; screenshots kept', async () => {
    for (const width of [1400, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      for (const route of ['/findings', '/']) {
        await page.goto(exporter.url + route);
        const { scrollWidth, viewport } = await overflow(page);
        assert.ok(scrollWidth <= viewport, `${route} at ${width} px: scrollWidth ${scrollWidth} > ${viewport}`);
      }
      await page.goto(`${exporter.url}/findings`);
      await page.screenshot({ path: path.join(ARTIFACTS, `findings-${width}.png`), fullPage: true });
      await page.close();
    }
  });

  it('scan exits 2 (a critical finding) and its JSON lists the same findings', async () => {
    const r = await execa('node', [CLI, 'scan', '--output=json', ...NOW_GRACES, ...ONLY_HOST, ...QUIET], {
      reject: false,
    });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(out.findings.map((f) => f.kind).sort(), expectedKinds);
    const ghost = out.findings.find((f) => f.kind === 'qemu_without_domain');
    assert.match(ghost?.command ?? '', /^ps -o pid,lstart,rss,args -p \d+$/);
    assert.equal(ghost?.runbook, '/runbooks/VMZombieQemuWithoutDomain');
    // Without the critical lock only warnings remain: 1.
    const args = [CLI, 'scan', ...NOW_GRACES, ...ONLY_HOST, ...QUIET, '--no-collector.procfs'];
    const text = await execa('node', args, { reject: false });
    assert.equal(text.exitCode, 1, text.stdout + text.stderr);
    assert.match(text.stdout, /^WARNING {2}domain paused, memory still held {2}\(domain_paused\)$/m);
  });

  it('a snapshot round-trip gives identical findings; --redact hides command lines and the host name', async () => {
    const snapshot = (await exporter.get('/snapshot.json')).body;
    const live = (JSON.parse((await exporter.get('/findings.json')).body) as { findings: JsonFinding[] }).findings;
    const work = host.workDir;
    const file = path.join(work, 'snapshot.json');
    await writeFile(file, snapshot);
    const replay = await execa('node', [CLI, 'scan', `--from=${file}`, '--output=json', ...NOW_GRACES], {
      reject: false,
    });
    assert.equal(replay.exitCode, 2, replay.stderr);
    const pick = (fs: JsonFinding[]) =>
      fs
        .map((f) => ({
          kind: f.kind,
          subject: f.subject,
          severity: f.severity,
          labels: f.labels,
          reclaimable: f.reclaimable,
          evidence: f.evidence,
          command: f.command,
        }))
        .sort((a, b) => `${a.kind} ${a.subject}`.localeCompare(`${b.kind} ${b.subject}`));
    assert.deepEqual(pick((JSON.parse(replay.stdout) as { findings: JsonFinding[] }).findings), pick(live));

    const redacted = await execa('node', [CLI, 'snapshot', '--redact', ...ONLY_HOST, ...QUIET], { reject: false });
    assert.equal(redacted.exitCode, 0, redacted.stderr);
    for (const c of cmdlines) {
      assert.ok(
        !redacted.stdout.includes(c) && !redacted.stdout.includes(JSON.stringify(c.split(' '))),
        `command line kept: ${c}`,
      );
    }
    const parsed = JSON.parse(redacted.stdout) as { hostname: string };
    assert.equal(parsed.hostname, 'host-1');
    const hostWord = new RegExp(`(^|[^\\w.-])${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`);
    assert.doesNotMatch(redacted.stdout, hostWord);
    const redactedFile = path.join(work, 'redacted.json');
    await writeFile(redactedFile, redacted.stdout);
    const fromRedacted = await execa('node', [CLI, 'scan', `--from=${redactedFile}`, '--output=json', ...NOW_GRACES], {
      reject: false,
    });
    assert.equal(fromRedacted.exitCode, 2, fromRedacted.stderr);
    const kinds = (JSON.parse(fromRedacted.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.kind).sort();
    assert.deepEqual(kinds, expectedKinds, 'the redacted snapshot still shows every zombie');
  });
});
