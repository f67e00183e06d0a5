// The one rule for secrets in command lines: a table of the shapes seen on hosts, then properties
// (fast-check): a planted secret never survives whatever surrounds it, and what a person needs to
// recognise the process (program, guest name, uuid, vCPUs, memory, the disk file) always does.
import { describe, it, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commandLineText, isSecretName, maskCommandLine, maskUrls } from '../../src/views/command-line-mask.js';
import { parseQemuGuest } from '../../src/views/qemu-cmdline.js';
import type { ProcessInfo } from '../../src/snapshot/procfs.js';

const SEED = 32_2026;
const RUNS = 300;

const CASES: Array<[string, string[], string[]]> = [
  [
    '--x=v',
    ['/usr/bin/app', '--db-password=hunter2', '--user', 'bob'],
    ['/usr/bin/app', '--db-password=***', '--user', 'bob'],
  ],
  ['--x v', ['app', '--api-token', 'abc123', '--verbose'], ['app', '--api-token', '***', '--verbose']],
  ['-x v (single dash long)', ['app', '-password', 'pw', '-v'], ['app', '-password', '***', '-v']],
  ['a value with spaces and commas', ['app', '--secret=a b,c=d'], ['app', '--secret=***']],
  ['camelCase name', ['app', '--dbPassword', 'x'], ['app', '--dbPassword', '***']],
  ['a flag that prompts', ['mysql', '--password', '--host', 'db'], ['mysql', '--password', '--host', 'db']],
  [
    'where the secret is, not the secret',
    ['app', '--password-file', '/run/pw', '--key-path=/k'],
    ['app', '--password-file', '/run/pw', '--key-path=/k'],
  ],
  ['--no-x takes no value', ['app', '--no-auth', '/etc/app.conf'], ['app', '--no-auth', '/etc/app.conf']],
  [
    'look-alike words',
    ['app', '--bypass', 'x', '--keyboard=us', '--author', 'me'],
    ['app', '--bypass', 'x', '--keyboard=us', '--author', 'me'],
  ],
  [
    'Java system property',
    ['java', '-Djavax.net.ssl.keyStorePassword=jj', '-jar', 'x.jar'],
    ['java', '-Djavax.net.ssl.keyStorePassword=***', '-jar', 'x.jar'],
  ],
  [
    'environment style',
    ['env', 'DB_PASSWORD=a b,c', 'PGPASSWORD=x', 'PATH=/usr/bin', 'app'],
    ['env', 'DB_PASSWORD=***', 'PGPASSWORD=***', 'PATH=/usr/bin', 'app'],
  ],
  [
    'podman -e',
    ['podman', 'run', '-e', 'API_KEY=k1', '--env=SECRET_TOKEN=t', 'img'],
    ['podman', 'run', '-e', 'API_KEY=***', '--env=SECRET_TOKEN=***', 'img'],
  ],
  [
    'URL user and password',
    ['backup', 'https://user:pa@ss@store.example/b?x=1'],
    ['backup', 'https://***@store.example/b?x=1'],
  ],
  [
    'URL token as user',
    ['git', 'clone', 'https://ghp_abc@github.com/o/r'],
    ['git', 'clone', 'https://***@github.com/o/r'],
  ],
  ['URL in a flag', ['app', '--db=postgres://app:pw@db:5432/x'], ['app', '--db=postgres://***@db:5432/x']],
  [
    'query parameter',
    ['app', 'https://h/api?access_token=t1&page=2'],
    ['app', 'https://h/api?access_token=***&page=2'],
  ],
  [
    'mount options',
    ['mount', '-o', 'username=bob,password=hun,ter2,domain=X', '//srv/s', '/mnt'],
    ['mount', '-o', 'username=bob,password=***', '//srv/s', '/mnt'],
  ],
  ['connection string', ['app', 'Server=db;User Id=sa;Password=p w;'], ['app', 'Server=db;User Id=sa;Password=***']],
  [
    'Authorization header',
    ['curl', '-H', 'Authorization: Bearer xyz', 'https://h/'],
    ['curl', '-H', 'Authorization: ***', 'https://h/'],
  ],
  [
    'curl -u',
    ['curl', '-u', 'bob:pw', '--user=al:pw2', 'https://h/'],
    ['curl', '-u', 'bob:***', '--user=al:***', 'https://h/'],
  ],
  [
    'sshpass -p',
    ['sshpass', '-p', 's3cret', 'ssh', '-p', '22', 'host'],
    ['sshpass', '-p', '***', 'ssh', '-p', '***', 'host'],
  ],
  [
    'mysql -pSECRET; -P is the port',
    ['mysql', '-phunter2', '-P', '3306', 'db'],
    ['mysql', '-p***', '-P', '3306', 'db'],
  ],
  ['-p is a port elsewhere', ['ssh', '-p', '2222', 'host'], ['ssh', '-p', '2222', 'host']],
  ['redis-cli -a', ['redis-cli', '-a', 'pw', '-p', '6379'], ['redis-cli', '-a', '***', '-p', '6379']],
  ['smbclient -U user%pass', ['smbclient', '-U', 'bob%pw', '//srv/s'], ['smbclient', '-U', 'bob%***', '//srv/s']],
  [
    'sh -c script',
    ['sh', '-c', 'backup --backup-token tok9 --url https://me:pw@h/ && echo ok'],
    ['sh', '-c', 'backup --backup-token *** --url https://***@h/ && echo ok'],
  ],
  ['title over argv', ['postgres: app password=zzz idle'], ['postgres: app password=*** idle']],
  ['empty', [], []],
  [
    'qemu: guest, uuid, smp, memory and disk kept; secrets in comma lists and JSON masked',
    [
      '/usr/bin/qemu-system-x86_64',
      '-name',
      'guest=web,,prod,debug-threads=on',
      '-uuid',
      '6b0c3b42-0000-4000-8000-000000000001',
      '-smp',
      '2',
      '-m',
      '64',
      '-object',
      'secret,id=sec0,data=QQQ,,x,format=raw',
      '-object',
      '{"qom-type":"secret","id":"s","data":"zz","keyid":"masterKey0","format":"base64"}',
      '-vnc',
      '0.0.0.0:0,password=on',
      '-spice',
      'port=5900,password=pw1,addr=0.0.0.0',
      '-drive',
      'file=/var/lib/libvirt/images/a,,b.qcow2,if=virtio,key-secret=sec0',
      '-blockdev',
      '{"driver":"rbd","pool":"p","image":"i","user":"admin","key-secret":"libvirt-1-auth"}',
    ],
    [
      '/usr/bin/qemu-system-x86_64',
      '-name',
      'guest=web,,prod,debug-threads=on',
      '-uuid',
      '6b0c3b42-0000-4000-8000-000000000001',
      '-smp',
      '2',
      '-m',
      '64',
      '-object',
      'secret,id=sec0,data=***,format=raw',
      '-object',
      '{"qom-type":"secret","id":"s","data":"***","keyid":"masterKey0","format":"base64"}',
      '-vnc',
      '0.0.0.0:0,password=on',
      '-spice',
      'port=5900,password=***,addr=0.0.0.0',
      '-drive',
      'file=/var/lib/libvirt/images/a,,b.qcow2,if=virtio,key-secret=***',
      '-blockdev',
      '{"driver":"rbd","pool":"p","image":"i","user":"admin","key-secret":"***"}',
    ],
  ],
];

describe('masking command lines: the table', () => {
  for (const [name, argv, want] of CASES) {
    it(name, () => assert.deepEqual(maskCommandLine(argv), want));
  }

  it('names', () => {
    for (const n of ['password', 'DB_PASSWORD', 'apiToken', 'x-auth-token', 'SECRET_KEY', 'pwd', 'credentials', 'psk'])
      assert.ok(isSecretName(n), n);
    for (const n of ['name', 'uuid', 'password-file', 'keyboard', 'bypass', 'author', 'monkey', 'keyid', 'file'])
      assert.ok(!isSecretName(n), n);
  });

  it('snapshot redaction drops URL user info entirely', () => {
    assert.equal(maskUrls('qemu+ssh://root@hv2/system', ''), 'qemu+ssh://hv2/system');
  });

  it('evidence text is cut after masking, so a cut never reveals part of a secret', () => {
    assert.equal(commandLineText(['app', '--password=abcdefgh'], 14), 'app --password');
    assert.equal(commandLineText(['app', '--password=abcdefgh'], 18), 'app --password=***');
  });
});

// Secrets are pieces that each hold a "Q" (no context below has one) joined by the separators a shape
// allows: every piece must be gone, so a secret cut at a separator is caught too.
const body = fc.string({ unit: fc.constantFrom(...'ABCEFGHIJKLMNOPRSTUVWXYZ0123456789'), minLength: 3, maxLength: 10 });
const piece = body.map((b) => `Q${b}`);
const secretWith = (separators: string) =>
  fc
    .array(fc.tuple(piece, fc.constantFrom(...separators)), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.map(([p, s], i) => (i === parts.length - 1 ? p : p + s)).join(''));
const piecesOf = (secret: string) => secret.match(/Q[A-Z0-9]+/g) ?? [];

const ANY = ' ,=:;@&/%"\'{}';
const secretName = fc.constantFrom(
  'password',
  'db-password',
  'dbPassword',
  'api-token',
  'backup-token',
  'secret',
  'client_secret',
  'access-key',
  'credentials',
  'passwd',
  'auth-token',
  'passphrase',
);

type Plant = { program: string; args: (s: string) => string[]; secret: fc.Arbitrary<string> };
const OTHER = ['/usr/local/bin/backup-agent', 'app', 'python3', '/opt/x/bin/worker'];
const QEMU = ['/usr/bin/qemu-system-x86_64', 'qemu-kvm'];
const anyProgram = [...OTHER, ...QEMU];

function plants(name: string, env: string): Plant[] {
  const escaped = (s: string) => s.replace(/,/g, ',,');
  return [
    { program: '*', args: (s) => [`--${name}=${s}`], secret: secretWith(ANY) },
    { program: '*', args: (s) => [`-${name}=${s}`], secret: secretWith(ANY) },
    { program: '*', args: (s) => [`--${name}`, s], secret: secretWith(ANY) },
    { program: '*', args: (s) => [`-${name}`, s], secret: secretWith(ANY) },
    { program: '*', args: (s) => [`-Dapp.${name}=${s}`], secret: secretWith(ANY) },
    { program: 'other', args: (s) => [`${env}=${s}`], secret: secretWith(ANY) },
    { program: 'other', args: (s) => ['-o', `user=bob,${name}=${s},ro`], secret: secretWith(ANY) },
    { program: '*', args: (s) => [`https://user:${s}@store.example/x`], secret: secretWith(':;&=,@%') },
    { program: '*', args: (s) => [`--url=https://${s}@store.example/x`], secret: secretWith(':;=,@%') },
    { program: '*', args: (s) => [`https://h/api?${name}=${s}&page=2`], secret: secretWith(':;=,@%/') },
    { program: '*', args: (s) => ['-H', `Authorization: Bearer ${s}`], secret: secretWith(ANY) },
    {
      program: 'other',
      args: (s) => ['-c', `tool --${name} ${s} && tool2 https://u:${s}@h/`],
      secret: secretWith(',=:;@&%'),
    },
    {
      program: 'qemu',
      args: (s) => ['-object', `secret,id=sec0,data=${escaped(s)},format=raw`],
      secret: secretWith(ANY),
    },
    { program: 'qemu', args: (s) => ['-spice', `port=5900,${name}=${escaped(s)},addr=::`], secret: secretWith(ANY) },
    { program: 'qemu', args: (s) => ['-vnc', `:0,password=${escaped(s)}`], secret: secretWith(ANY) },
    {
      program: 'qemu',
      args: (s) => ['-drive', `file=/i.qcow2,key-secret=${escaped(s)},if=virtio`],
      secret: secretWith(ANY),
    },
    {
      program: 'qemu',
      args: (s) => ['-object', JSON.stringify({ 'qom-type': 'secret', id: 's', data: s, format: 'raw' })],
      secret: secretWith(ANY),
    },
    {
      program: 'qemu',
      args: (s) => ['-blockdev', JSON.stringify({ driver: 'rbd', auth: { [name]: s }, 'key-secret': s })],
      secret: secretWith(ANY),
    },
    { program: 'sshpass', args: (s) => ['-p', s], secret: secretWith(ANY) },
    { program: 'mysql', args: (s) => [`-p${s}`], secret: secretWith(ANY) },
    { program: 'redis-cli', args: (s) => ['-a', s], secret: secretWith(ANY) },
    { program: 'curl', args: (s) => ['-u', `bob:${s}`], secret: secretWith(ANY) },
  ];
}

const programFor = (p: Plant) =>
  p.program === '*' ? anyProgram : p.program === 'qemu' ? QEMU : p.program === 'other' ? OTHER : [p.program];

// Context arguments: no "Q", and tokens that change how the next argument is read.
const contextArg = fc.oneof(
  fc.constantFrom(
    '--password',
    '-p',
    '-u',
    '--user',
    '-H',
    'Authorization:',
    '-o',
    '-c',
    '--verbose',
    '-m',
    '64',
    'file=/var/lib/x.qcow2,if=virtio',
    '{"a":1}',
    '{',
    'https://',
    '--',
    '=',
    ',',
    '"',
  ),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnoprstuvwxyz0123456789-_=,:/.@ '), maxLength: 20 }),
);

const planted = fc
  .tuple(secretName, fc.nat())
  .chain(([name, i]) => {
    const env = name
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .replace(/-/g, '_')
      .toUpperCase();
    const all = plants(name, env);
    const plant = all[i % all.length] as Plant;
    return fc.record({
      program: fc.constantFrom(...programFor(plant)),
      secret: plant.secret,
      before: fc.array(contextArg, { maxLength: 5 }),
      after: fc.array(contextArg, { maxLength: 5 }),
      plant: fc.constant(plant),
    });
  })
  .map(({ program, secret, before, after, plant }) => ({
    secret,
    argv: [program, ...before, ...plant.args(secret), ...after],
  }));

test('a planted secret never survives, whatever surrounds it', () => {
  fc.assert(
    fc.property(planted, ({ secret, argv }) => {
      const masked = maskCommandLine(argv);
      assert.equal(masked.length, argv.length, 'one output argument per input argument');
      const text = masked.join('\u0000');
      for (const p of piecesOf(secret)) assert.ok(!text.includes(p), `${p} survived in ${JSON.stringify(masked)}`);
      const line = commandLineText(argv, 1024);
      for (const p of piecesOf(secret)) assert.ok(!line.includes(p), p);
    }),
    { seed: SEED, numRuns: RUNS * 4 },
  );
});

const proc = (cmdline: string[]): ProcessInfo => ({
  pid: 1,
  ppid: 0,
  comm: 'qemu-system-x86',
  state: 'S',
  cmdline,
  uid: 0,
  startTimeSeconds: 0,
  rssBytes: null,
});

test("a qemu's program, guest name, uuid, vCPUs, memory and disk survive, among planted secrets", () => {
  const lower = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.,'),
    minLength: 1,
    maxLength: 16,
  });
  fc.assert(
    fc.property(
      fc.constantFrom(...QEMU),
      lower,
      fc.uuid(),
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 16, max: 65536 }),
      lower.map((n) => `/var/lib/libvirt/images/${n}.qcow2`),
      fc.array(fc.tuple(secretName, piece), { maxLength: 3 }),
      (program, guest, uuid, vcpus, mib, disk, secrets) => {
        const argv = [
          program,
          '-name',
          `guest=${guest.replace(/,/g, ',,')},debug-threads=on`,
          '-uuid',
          uuid,
          '-smp',
          String(vcpus),
          '-m',
          String(mib),
          ...secrets.flatMap(([n, s]) => ['-object', `secret,id=${n},data=${s}`, `--${n}`, s]),
          '-drive',
          `file=${disk.replace(/,/g, ',,')},if=virtio,format=qcow2`,
        ];
        const masked = maskCommandLine(argv);
        assert.equal(masked[0], program);
        assert.deepEqual(parseQemuGuest(proc(masked)), parseQemuGuest(proc(argv)));
        assert.ok(masked.includes(`file=${disk.replace(/,/g, ',,')},if=virtio,format=qcow2`));
        for (const [, s] of secrets) assert.ok(!masked.join(' ').includes(s));
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});

test('a command line with nothing secret comes back unchanged, and masking twice is masking once', () => {
  const benign = fc.oneof(
    fc.constantFrom('--verbose', '-m', '64', '-p', '22', '--host', 'db', '-drive', 'file=/x.qcow2,if=virtio', '--user'),
    fc.string({ unit: fc.constantFrom(...'abdefghijlmnoqrsuvwxyz0123456789-_=,/.'), maxLength: 20 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...anyProgram, 'ssh'), fc.array(benign, { maxLength: 12 }), (program, args) => {
      const argv = [program, ...args];
      assert.deepEqual(maskCommandLine(argv), argv);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  fc.assert(
    fc.property(planted, ({ argv }) => {
      const once = maskCommandLine(argv);
      assert.deepEqual(maskCommandLine(once), once);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
