// Command lines carrying secrets, through every detector that puts a command line in evidence and every
// output a person reads: findings JSON (/findings.json, scan --output=json), the scan text, the
// findings page and the redacted snapshot. No secret appears; the findings still name pid and program.
// And no file in src/ joins an argv for display except the masking module.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { replay } from '../../src/engine/engine.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import { textReport } from '../../src/outputs/report.js';
import { findingsPage, parseFindingsQuery } from '../../src/outputs/findings-page.js';
import { redactSnapshot } from '../../src/outputs/redact.js';
import {
  disk,
  domain,
  file,
  libvirtSection,
  openFile,
  posixLock,
  proc,
  procfsSection,
  qemuWritableLocks,
  snapshot,
} from '../support/builders.js';

const SECRETS = [
  'hunter2-db',
  'tok-9f8e7d',
  'pa55-in-url',
  'qemu-data-s3cr3t',
  'spice-pw-77',
  'recorded-pw-1',
] as const;

const OFF = file('/images/off.qcow2', 2001);
const OFF2 = file('/images/off2.qcow2', 2002);
const offDomain = domain({ name: 'web', state: 'shutoff', reason: 'shutdown', disks: [disk(OFF.path)] });
const offDomain2 = domain({ name: 'db', state: 'shutoff', reason: 'shutdown', disks: [disk(OFF2.path)] });
// libvirt says running with pid 700; pid 700 is now something else, with a password in its arguments.
const lostDomain = domain({ name: 'lost', state: 'running', reason: 'booted', pid: 700, id: 3 });
const stray = proc(600, [
  '/usr/bin/qemu-system-x86_64',
  '-name',
  'guest=ghost,debug-threads=on',
  '-uuid',
  '66666666-6666-4666-8666-666666666666',
  '-m',
  '32',
  '-object',
  `secret,id=sec0,data=${SECRETS[3]},format=raw`,
  '-spice',
  `port=5900,password=${SECRETS[4]}`,
  '-drive',
  `file=${OFF.path},if=virtio,format=qcow2`,
]);
const holder = proc(601, [
  '/usr/local/bin/backup-agent',
  `--db-password=${SECRETS[0]}`,
  '--backup-token',
  SECRETS[1],
  `https://backup:${SECRETS[2]}@store.example/bucket`,
  OFF2.path,
]);
const other = proc(700, ['/usr/bin/python3', 'worker.py', '--password', SECRETS[5]]);

const SNAP = snapshot({
  libvirt: libvirtSection([offDomain, offDomain2, lostDomain], [OFF, OFF2]),
  procfs: procfsSection([stray, holder, other], {
    openFiles: [
      openFile(600, 12, OFF.path, OFF.inode as number, qemuWritableLocks(OFF.inode as number)),
      openFile(601, 3, OFF2.path, OFF2.inode as number),
    ],
    locks: [
      ...qemuWritableLocks(OFF.inode as number).map((l, i) => ({ ...l, ordinal: i + 1 })),
      posixLock(601, 2002, 9),
    ],
  }),
});

describe('secrets in command lines never reach an output', () => {
  const { config } = parseArgs(
    ['scan', '--detect.grace=0s'],
    SOURCES.map((s) => s.name),
  );
  const { snapshot: snap, detection } = replay(config, SNAP);

  it('the findings are there, with the holder pid and program', () => {
    const kinds = detection.findings.map((f) => `${f.kind} ${f.subject}`).sort();
    assert.deepEqual(kinds, [
      `domain_without_process lost (${lostDomain.uuid})`,
      'image_locked_while_domain_inactive /images/off.qcow2',
      'image_locked_while_domain_inactive /images/off2.qcow2',
      'qemu_without_domain ghost (pid 600)',
    ]);
    const held = detection.findings.find((f) => f.subject === OFF2.path);
    const holders = (held?.evidence as { holders: Array<{ pid: number; cmdline: string }> }).holders;
    assert.deepEqual(
      holders.map((h) => h.pid),
      [601],
    );
    assert.match(
      holders[0]?.cmdline ?? '',
      /^\/usr\/local\/bin\/backup-agent --db-password=\*\*\* --backup-token \*\*\* /,
    );
    assert.match(holders[0]?.cmdline ?? '', /https:\/\/\*\*\*@store\.example\/bucket \/images\/off2\.qcow2$/);
    const ghost = detection.findings.find((f) => f.kind === 'qemu_without_domain');
    assert.match((ghost?.evidence as { cmdline: string }).cmdline, /guest=ghost.*-m 32 .*file=\/images\/off\.qcow2/);
  });

  const outputs: Record<string, string> = {
    'findings JSON (/findings.json, scan --output=json)': JSON.stringify(findingsJson(snap, detection)),
    'scan text': textReport(snap, detection),
    'findings page': findingsPage(snap, detection, parseFindingsQuery({})),
    'redacted snapshot': JSON.stringify(redactSnapshot(snap)),
  };
  for (const [name, text] of Object.entries(outputs)) {
    it(`${name}: none of the secrets`, () => {
      for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in ${name}`);
      assert.ok(text.includes('601') || name === 'redacted snapshot', 'the holder pid is shown');
    });
  }

  it('the raw snapshot does hold them (what --web.snapshot-unredacted serves)', () => {
    const raw = JSON.stringify(snap);
    for (const s of SECRETS) assert.ok(raw.includes(s), s);
  });
});

describe('one place builds command-line text', () => {
  it('no file in src/ but the masking module joins an argv', () => {
    const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src');
    const offenders = readdirSync(src, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.relative(src, path.join(e.parentPath, e.name)))
      // qemu-cmdline.ts matches a pattern in the joined text and never shows it.
      .filter((f) => !['views/command-line-mask.ts', 'views/qemu-cmdline.ts'].includes(f.split(path.sep).join('/')))
      .filter((f) => /cmdline\??\.join\(|argv\.join\(/.test(readFileSync(path.join(src, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
