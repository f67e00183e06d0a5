// Masks what looks secret in a process's command line before it is shown anywhere (finding evidence,
// the findings page, /findings.json, `scan`, snapshots), and keeps what a person needs to recognise the
// process: the program, a qemu's guest name, uuid, vCPUs, memory and the files it names.
// It works on argv, not on joined text: an argument's boundaries say where a secret ends (a password
// with a space in it, the value of `--password VALUE` in the next argument). Rules, in order:
// - the argument after a flag named like a secret (`--db-password VALUE`, `-token VALUE`), unless it
//   is itself a long option (`mysql --password --host h` prompts; `--host` is not its value);
// - the value of `--name=VALUE`, `-name=VALUE`, `-Dname=VALUE` and environment-style `NAME=VALUE` for such
//   names, whole (commas, spaces and `=` included);
// - `key=value` parts of option strings: qemu's comma lists (-object, -drive, -spice, -vnc, split as
//   qemu splits them, `,,` being a comma) and its JSON form, where `data` counts as a secret too
//   (`-object secret,data=…`); in other programs' lists (`mount -o user=u,password=p`, `a=1;Password=p`)
//   everything from the first secret key on, since their commas are not reliably escaped;
// - user info in URLs (`https://user:pass@host`, `https://TOKEN@host`) and secret query parameters;
// - HTTP-header-like `Authorization: Bearer …` arguments;
// - single-letter password flags only where they mean a password (PROGRAM_FLAGS): `-p` is a port to
//   ssh, psql and redis-cli, so it is not masked in general.
// An argument with spaces (a `sh -c` script, a title a process wrote over its argv) is masked word
// by word with the same rules; a quoted password with spaces inside such a script is cut at its first
// space. Names are judged by their words: `dbPassword`, `DB_PASSWORD`, `--api-token` are secrets;
// `--password-file`, `--key-path` name where a secret is (kept); `--no-auth` takes no value.
import { isQemuProgram, splitQemuOptions } from './qemu-cmdline.js';

export const MASK = '***';

// Substrings that make any word a secret name (PGPASSWORD, apitoken, x-auth-token's "token").
const SECRET_PARTS = /password|passwd|passphrase|secret|token|credential|apikey|privatekey|accesskey|authorization/;
// Short words that are secret names only on their own (not "bypass", "keyboard", "author").
const SECRET_WORDS = new Set(['pass', 'pwd', 'pw', 'key', 'keys', 'auth', 'cred', 'creds', 'cookie', 'psk', 'pin']);
// A last word saying the value is where the secret lives, not the secret.
const LOCATION_WORDS = new Set(['file', 'filename', 'path', 'dir', 'directory', 'fd']);
// Booleans say whether a password is set (`-vnc :0,password=on`), not what it is.
const BOOLEAN = new Set(['on', 'off', 'true', 'false', 'yes', 'no']);
// Auth schemes after an Authorization header name: the credential is the word after.
const AUTH_SCHEMES = new Set(['bearer', 'basic', 'token', 'digest', 'negotiate']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// Names repeat across processes (qemu's properties, common flags): judge each once. Bounded.
const judged = new Map<string, boolean>();

/** Whether a flag, property or variable of this name holds a secret (`--db-password`, `apiToken`, `SECRET_KEY`). */
export function isSecretName(name: string): boolean {
  let secret = judged.get(name);
  if (secret === undefined) {
    secret = judgeName(name);
    if (judged.size >= 4096) judged.clear();
    judged.set(name, secret);
  }
  return secret;
}

function judgeName(name: string): boolean {
  const ws = words(name);
  const last = ws[ws.length - 1];
  if (last === undefined || LOCATION_WORDS.has(last)) return false;
  return ws.some((w) => SECRET_WORDS.has(w) || SECRET_PARTS.test(w));
}

function isSecretProperty(key: string): boolean {
  return isSecretName(key) || key.toLowerCase() === 'data';
}

function maskedValue(value: string): string {
  return value === '' || BOOLEAN.has(value.toLowerCase()) ? value : MASK;
}

interface PasswordFlags {
  /** Flags whose next argument, or attached rest (`-pSECRET`), is a password. */
  password?: string[];
  /** Flags whose attached rest only is a password (`mysql -pSECRET`; `mysql -p db` prompts). */
  attached?: string[];
  /** Flags taking `user<sep>password`: the part after the separator is masked. */
  userPassword?: { flags: string[]; separator: string };
}

const MYSQL: PasswordFlags = { attached: ['-p'] };
/** Single-letter flags that mean a password only in these programs. */
export const PROGRAM_FLAGS: Readonly<Record<string, PasswordFlags>> = {
  sshpass: { password: ['-p'] },
  mysql: MYSQL,
  mysqldump: MYSQL,
  mysqladmin: MYSQL,
  mariadb: MYSQL,
  'mariadb-dump': MYSQL,
  'mariadb-admin': MYSQL,
  'redis-cli': { password: ['-a'] },
  'valkey-cli': { password: ['-a'] },
  curl: { userPassword: { flags: ['-u', '--user', '-U', '--proxy-user'], separator: ':' } },
  smbclient: { userPassword: { flags: ['-U', '--user'], separator: '%' } },
};

interface Context {
  qemu: boolean;
  flags: PasswordFlags;
}

interface State {
  /** The next argument is a secret. */
  next: 'secret' | 'user-password' | 'auth-scheme' | null;
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const QUERY_PARAMETER = /([?&;])([A-Za-z_][\w.-]*)=([^&#\s]*)/g;

/** `scheme://user:pass@host` → `scheme://<replacement>@host` (or `scheme://host` with ''); secret query values. */
export function maskUrls(text: string, replacement = MASK): string {
  if (!text.includes('://') && !/[?&;]/.test(text)) return text;
  return text
    .replace(URL_USERINFO, (_m, scheme: string) => (replacement === '' ? scheme : `${scheme}${replacement}@`))
    .replace(QUERY_PARAMETER, (m, sep: string, key: string, value: string) =>
      isSecretName(key) ? `${sep}${key}=${maskedValue(value)}` : m,
    );
}

function maskJsonValue(value: unknown): { value: unknown; changed: boolean } {
  if (typeof value === 'string') {
    const masked = maskUrls(value);
    return { value: masked, changed: masked !== value };
  }
  if (Array.isArray(value)) {
    const items = value.map(maskJsonValue);
    return { value: items.map((i) => i.value), changed: items.some((i) => i.changed) };
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (isSecretProperty(k) && !(typeof v === 'boolean' || v === null || v === '')) {
        out[k] = MASK;
        changed = true;
        continue;
      }
      const inner = maskJsonValue(v);
      out[k] = inner.value;
      changed ||= inner.changed;
    }
    return { value: out, changed };
  }
  return { value, changed: false };
}

/** qemu's JSON option form (`-object {"qom-type":"secret","data":…}`); null when it is not JSON. */
function maskJson(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  const { value, changed } = maskJsonValue(parsed);
  return changed ? JSON.stringify(value) : text;
}

const LIST_KEY = /(^|[,;&])([A-Za-z_][\w.-]*)=/g;

/** An option's value: JSON, a qemu comma list, or another program's `k=v` list. */
function maskOptionValue(value: string, ctx: Context): string {
  if (value.startsWith('{') || value.startsWith('[')) {
    const json = maskJson(value);
    if (json !== null) return json;
  }
  if (!value.includes('=')) return value;
  if (ctx.qemu) {
    return splitQemuOptions(value)
      .map((part) => {
        const eq = part.indexOf('=');
        if (eq > 0 && isSecretProperty(part.slice(0, eq)))
          return `${part.slice(0, eq)}=${maskedValue(part.slice(eq + 1))}`;
        return part.replace(/,/g, ',,');
      })
      .join(',');
  }
  for (const m of value.matchAll(LIST_KEY)) {
    if (!isSecretProperty(m[2] as string)) continue;
    const start = (m.index ?? 0) + m[0].length;
    return value.slice(0, start) + maskedValue(value.slice(start));
  }
  return value;
}

function maskFlag(arg: string, ctx: Context, state: State): string {
  const eq = arg.indexOf('=');
  const flag = eq < 0 ? arg : arg.slice(0, eq);
  const { password = [], userPassword } = ctx.flags;
  if (userPassword?.flags.includes(flag)) {
    if (eq < 0) state.next = 'user-password';
    else return `${flag}=${maskUserPassword(arg.slice(eq + 1), userPassword.separator)}`;
    return arg;
  }
  if (password.includes(arg)) {
    state.next = 'secret';
    return arg;
  }
  // -Djavax.net.ssl.keyStorePassword=… (Java system properties).
  const name = /^-D\w/.test(flag) ? flag.slice(2) : flag.replace(/^--?/, '');
  if (eq >= 0) {
    const value = arg.slice(eq + 1);
    return `${flag}=${isSecretName(name) ? maskedValue(value) : maskOptionValue(value, ctx)}`;
  }
  if (isSecretName(name) && !name.startsWith('no-')) state.next = 'secret';
  return arg;
}

function maskUserPassword(value: string, separator: string): string {
  const at = value.indexOf(separator);
  return at < 0 ? value : `${value.slice(0, at + 1)}${MASK}`;
}

const HEADER = /^([A-Za-z][\w-]*):(\s*)(.*)$/s;
const ENV_STYLE = /^([A-Za-z_][\w.-]*)=(.*)$/s;

function maskPositional(arg: string, ctx: Context, state: State): string {
  const header = HEADER.exec(arg);
  if (header && isSecretName(header[1] as string)) {
    if (header[3] === '') {
      state.next = 'auth-scheme';
      return arg;
    }
    return `${header[1]}:${header[2]}${MASK}`;
  }
  // qemu reads each argument as one comma list (or JSON), spaces included.
  if (ctx.qemu) return maskOptionValue(arg, ctx);
  // Elsewhere NAME=VALUE is an environment assignment: VALUE whole, spaces and commas included.
  const env = ENV_STYLE.exec(arg);
  if (env && isSecretName(env[1] as string)) return `${env[1]}=${maskedValue(env[2] as string)}`;
  // A list with a secret key is masked to its end, spaces included; other text with spaces word by word.
  const list = maskOptionValue(arg, ctx);
  return list === arg && /\s/.test(arg) ? maskWords(arg, ctx) : list;
}

function maskArgument(raw: string, ctx: Context, state: State): string {
  const next = state.next;
  state.next = null;
  // A value taken as a secret is still read for what it starts (`--password -token X`: X is one too).
  const swallowed = (out: string): string => {
    maskArgument(raw, ctx, state);
    if (next === 'auth-scheme' && AUTH_SCHEMES.has(raw.toLowerCase())) state.next = 'secret';
    return out;
  };
  if (next === 'auth-scheme') return swallowed(MASK);
  if (next === 'secret' && !raw.startsWith('--')) return swallowed(MASK);
  if (next === 'user-password' && !raw.startsWith('-'))
    return swallowed(maskUserPassword(raw, ctx.flags.userPassword?.separator ?? ':'));
  // `mysql -pSECRET`, whatever SECRET holds.
  const { password = [], attached = [] } = ctx.flags;
  const short = [...password, ...attached].find((f) => /^-\w$/.test(f) && raw.startsWith(f) && raw.length > 2);
  if (short !== undefined) return short + MASK;
  const arg = maskUrls(raw);
  if (/^-[^-\d\s]|^--[^\s]/.test(arg) && !/\s/.test(arg.slice(0, arg.indexOf('=') + 1 || arg.length))) {
    return maskFlag(arg, ctx, state);
  }
  return maskPositional(arg, ctx, state);
}

/** Text with spaces, masked word by word as a command line of its own; the spacing is kept. */
function maskWords(text: string, ctx: Context): string {
  const pieces = text.split(/(\s+)/);
  const state: State = { next: null };
  return pieces
    .map((piece, i) => {
      if (i % 2 === 1 || piece === '') return piece;
      // Quotes of a shell script around a word: judge the word, keep the quotes.
      const m = /^(['"]*)(.*?)(['"]*)$/s.exec(piece) as RegExpExecArray;
      const inner = m[2] as string;
      return inner === '' ? piece : `${m[1]}${maskArgument(inner, ctx, state)}${m[3]}`;
    })
    .join('');
}

function programName(argv0: string): string {
  const first = argv0.split(/\s/)[0] as string;
  return first.slice(first.lastIndexOf('/') + 1);
}

/** The command line with secrets replaced by `***`; as many arguments as it had, in the same order. */
export function maskCommandLine(argv: readonly string[]): string[] {
  const [argv0, ...rest] = argv;
  if (argv0 === undefined) return [];
  const program = programName(argv0);
  const ctx: Context = { qemu: isQemuProgram(program), flags: PROGRAM_FLAGS[program] ?? {} };
  const state: State = { next: null };
  // The program is kept; a title written over argv[0] ("postgres: app password=…") is judged as text.
  const out = [/\s/.test(argv0) ? maskWords(argv0, { ...ctx, qemu: false }) : argv0];
  for (const arg of rest) out.push(maskArgument(arg, ctx, state));
  return out;
}

/** The masked command line as one line of evidence, cut to `maxChars` after masking. */
export function commandLineText(argv: readonly string[], maxChars: number): string {
  return maskCommandLine(argv).join(' ').slice(0, maxChars);
}
