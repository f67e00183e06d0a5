// The flags table and its parser: --flag value / --flag=value, booleans and --no-, collectors,
// error texts, and --help listing every flag.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ALL_FLAGS, composeFlags, defaultConfig, flagsHelp, parseArgs } from '../../src/flags.js';
import { str } from '../../src/config/flag-spec.js';
import { SOURCES } from '../../src/families/index.js';

const COLLECTORS = ['libvirt', 'procfs'];
const parse = (...argv: string[]) => parseArgs(argv, COLLECTORS);
const fails = (argv: string[], message: string) =>
  assert.throws(
    () => parseArgs(argv, COLLECTORS),
    (e: unknown) => {
      assert.equal((e as Error).message, message);
      return true;
    },
    argv.join(' '),
  );

test('defaults come from the table; durations are seconds', () => {
  const c = defaultConfig();
  assert.equal(c['web.listen-address'], '0.0.0.0:9955');
  assert.equal(c['path.procfs'], '/proc');
  assert.equal(c['libvirt.uri'], 'qemu:///system');
  assert.equal(c['collector.timeout'], 10);
  assert.equal(c['collector.min-interval'], 5);
  assert.equal(c['detect.grace'], 60);
  assert.equal(c['findings.max-per-kind'], 500);
  assert.equal(c['log.json'], false);
  assert.deepEqual(c.collectors, {});
  assert.deepEqual(parse().config, c);
  for (const name of Object.keys(ALL_FLAGS)) assert.ok(name in c, name);
});

test('--flag value and --flag=value are the same; a value may contain "="', () => {
  const a = parse(
    '--libvirt.uri',
    'qemu+ssh://root@hv1/system?keyfile=/k',
    '--collector.timeout',
    '3s',
    '--findings.max-per-kind',
    '7',
  );
  const b = parse(
    '--libvirt.uri=qemu+ssh://root@hv1/system?keyfile=/k',
    '--collector.timeout=3s',
    '--findings.max-per-kind=7',
  );
  assert.deepEqual(a, b);
  assert.equal(a.config['libvirt.uri'], 'qemu+ssh://root@hv1/system?keyfile=/k');
  assert.equal(a.config['collector.timeout'], 3);
  assert.equal(a.config['findings.max-per-kind'], 7);
  // The last occurrence wins; an explicit empty value is kept.
  assert.equal(parse('--path.procfs=/a', '--path.procfs', '/b').config['path.procfs'], '/b');
  assert.equal(parse('--from=').config.from, '');
  // A value that starts with "--" must be attached with "=".
  assert.equal(parse('--libvirt.virsh=--odd').config['libvirt.virsh'], '--odd');
});

test('commands and positional arguments', () => {
  const p = parse('scan', '--output=json', 'extra', 'more');
  assert.deepEqual([p.command, p.rest, p.help, p.config.output], ['scan', ['extra', 'more'], false, 'json']);
  assert.equal(parse('--mode=node').command, null);
  assert.equal(parse('--mode', 'node', 'snapshot').command, 'snapshot');
  assert.equal(parse('--help').help, true);
  assert.equal(parse('scan', '-h').help, true);
});

test('boolean flags: --flag, --no-flag, --flag=true|false|1|0|yes|no', () => {
  assert.equal(parse('--log.json').config['log.json'], true);
  assert.equal(parse('--log.json', '--no-log.json').config['log.json'], false);
  for (const [raw, on] of [
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ] as const) {
    assert.equal(parse(`--log.json=${raw}`).config['log.json'], on, raw);
    assert.equal(parse(`--no-log.json=${raw}`).config['log.json'], !on, raw);
  }
  // A bool never takes the next argument as its value.
  const p = parse('--log.json', 'scan');
  assert.equal(p.config['log.json'], true);
  assert.equal(p.command, 'scan');
});

test('--collector.X and --no-collector.X set explicit choices for known collectors only', () => {
  assert.deepEqual(parse('--collector.libvirt').config.collectors, { libvirt: true });
  assert.deepEqual(parse('--no-collector.libvirt').config.collectors, { libvirt: false });
  assert.deepEqual(parse('--collector.libvirt=false', '--no-collector.procfs=false').config.collectors, {
    libvirt: false,
    procfs: true,
  });
  assert.deepEqual(parse('--no-collector.libvirt', '--collector.libvirt').config.collectors, { libvirt: true });
  fails(['--collector.vsphere'], 'unknown flag --collector.vsphere (see --help)');
  fails(['--no-collector.vsphere'], 'unknown flag --no-collector.vsphere (see --help)');
});

test('error texts', () => {
  fails(['--web.listen'], 'unknown flag --web.listen (see --help)');
  fails(['--bogus=1'], 'unknown flag --bogus (see --help)');
  fails(['--libvirt.uri'], '--libvirt.uri needs a value');
  fails(['--libvirt.uri', '--no-collector.procfs'], '--libvirt.uri needs a value');
  fails(['--no-libvirt.uri'], '--no-libvirt.uri only applies to true/false flags');
  fails(['--collector.timeout=5x'], '--collector.timeout: invalid duration "5x" (use e.g. 30s, 5m, 1h30m, 72h)');
  fails(
    ['--collector.min-interval', 'soon'],
    '--collector.min-interval: invalid duration "soon" (use e.g. 30s, 5m, 1h30m, 72h)',
  );
  fails(['--findings.max-per-kind=many'], '--findings.max-per-kind: expected a whole number, got "many"');
  fails(['--findings.max-per-kind=-1'], '--findings.max-per-kind: expected a whole number, got "-1"');
  fails(['--log.json=maybe'], '--log.json: expected true or false, got "maybe"');
  fails(['--collector.libvirt=maybe'], '--collector.libvirt: expected true or false, got "maybe"');
});

test('--help lists every flag with its type and default, and every source', () => {
  const help = flagsHelp(SOURCES);
  for (const [name, spec] of Object.entries(ALL_FLAGS)) {
    const head = spec.type === 'bool' ? `  --${name}\n` : `  --${name}=<${spec.type}>\n`;
    assert.ok(help.includes(head), `--help misses ${name}`);
    assert.ok(help.includes(spec.help), `--help misses the text of ${name}`);
  }
  assert.match(help, /--collector\.timeout=<duration>\n\s+.*Default: 10s/);
  assert.match(help, /--findings\.max-per-kind=<int>\n\s+.*Default: 500/);
  assert.match(help, /--from=<string>\n\s+.*Default: \n/);
  for (const s of SOURCES)
    assert.match(help, new RegExp(`^  ${s.name}\\s+${s.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  // Every flag line in the help is a flag of the table (nothing stale listed).
  const listed = [...help.matchAll(/^ {2}--([a-z.-]+)/gm)].map((m) => m[1]);
  assert.deepEqual(listed.sort(), Object.keys(ALL_FLAGS).sort());
});

test('each source declares its own flags; the table holds them once, a second declaration is refused', () => {
  for (const s of SOURCES)
    for (const [name, spec] of Object.entries(s.flags ?? {})) assert.equal(ALL_FLAGS[name], spec, `${s.name}: ${name}`);
  assert.ok(SOURCES.find((s) => s.name === 'kubevirt')?.flags?.['kube.freeze-history'], 'the lazy kube source too');
  const a = { name: 'a', flags: { 'x.dir': str('/a', 'a dir.') } };
  const b = { name: 'b', flags: { 'x.dir': str('/b', 'another dir.') } };
  assert.throws(() => composeFlags([a, b], []), /source b: flag --x\.dir is declared twice/);
  assert.throws(
    () => composeFlags([{ name: 'c', flags: { mode: str('x', 'y') } }], []),
    /flag --mode is declared twice/,
  );
});

test("--kube.freeze-history is the kube source's own, and never shorter than the window the detector judges", () => {
  assert.equal(defaultConfig()['kube.freeze-history'], 300);
  assert.equal(parse('--kube.freeze-history=1h').config['kube.freeze-history'], 3600);
  // A longer freeze-loop window raises it, so the detector never judges a window the source has trimmed.
  assert.equal(parse('--detect.freeze-window=10m').config['kube.freeze-history'], 600);
  assert.equal(parse('--detect.freeze-window=10m', '--kube.freeze-history=1m').config['kube.freeze-history'], 600);
});
