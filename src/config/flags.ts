// Command-line flags, Prometheus-exporter style (--web.listen-address, --path.procfs, --collector.X /
// --no-collector.X). One table defines name, type, default and help; the parser and --help read it.
import { formatDuration } from './duration.js';
import { bool, duration, int, list, oneOf, parseBool, str, type FlagSpec } from './flag-spec.js';
import { DETECTORS } from '../catalog/catalog.js';

/** The exporter's own flags (each detector's `detect.*` knobs are added from the catalog below). */
export const FLAGS = {
  'web.listen-address': str('0.0.0.0:9955', 'Address to serve /metrics, /findings and the landing page on.'),
  'web.config.file': str(
    '',
    'exporter-toolkit web config (YAML): TLS, client certificates and basic auth (README "Web config"). Empty: plain ' +
      'HTTP.',
  ),
  mode: str('node', 'node: this host (libvirt, /proc, /sys). cluster: KubeVirt objects through the Kubernetes API.'),
  'path.procfs': str('/proc', 'procfs mount point.'),
  'path.sysfs': str('/sys', 'sysfs mount point.'),
  'libvirt.uri': str('qemu:///system', 'libvirt connection URI (opened read-only).'),
  'libvirt.virsh': str('virsh', 'virsh executable used to talk to libvirt.'),
  'libvirt.run-dir': str('/run/libvirt/qemu', 'libvirt QEMU driver state directory (<domain>.pid files).'),
  'libvirt.save-dir': str(
    '/var/lib/libvirt/qemu/save',
    "libvirt's managed-save images (<domain>.save). Empty: not read.",
  ),
  'libvirt.log-dir': str(
    '/var/log/libvirt/qemu',
    'libvirt\'s qemu logs (<domain>.log): their last "shutting down" line dates a shut-off domain. Empty: not read.',
  ),
  'libvirt.transport': oneOf(
    ['auto', 'rpc', 'virsh'] as const,
    'auto',
    "auto: libvirt's RPC protocol on the local read-only socket where the URI allows it (qemu:///system, " +
      'test+unix://, ?socket=), virsh for other URIs or when the handshake fails. rpc, virsh: only that one.',
  ),
  'libvirt.xml-refresh': int(
    20,
    "Each domain's XML is fetched again at least every this many collections, with no event or state change (a " +
      'config-only change of a shut-off domain fires none). 1: every collection.',
  ),
  'pool.dir': list(
    ['/var/lib/libvirt/images'],
    "Image directory to walk, in addition to the directories of libvirt's defined dir pools; giving it replaces the " +
      'default.',
  ),
  'pool.libvirt-config-dir': str(
    '/etc/libvirt',
    "libvirt configuration directory: dir pools from storage/*.xml, persistent domains' disks from qemu/*.xml. " +
      'Empty: do not read it.',
  ),
  'pool.libvirt-snapshot-dir': str(
    '/var/lib/libvirt/qemu/snapshot',
    "libvirt's snapshot metadata (<domain>/<snapshot>.xml): files it names are never orphans. Empty: do not read it.",
  ),
  'collector.timeout': duration(
    '10s',
    'Time one source may take per collection before it is cancelled and marked down.',
  ),
  'web.scrape-budget': duration(
    '9s',
    'A scrape without X-Prometheus-Scrape-Timeout-Seconds is answered within this; sources still running are served ' +
      'from their last good data, marked stale.',
  ),
  'web.scrape-timeout-offset': duration(
    '500ms',
    'Taken off X-Prometheus-Scrape-Timeout-Seconds to leave time to render and send the answer.',
  ),
  'collector.min-interval': duration('5s', 'A collection younger than this is served as it is to new scrapes.'),
  'findings.max-per-kind': int(
    500,
    'Per-finding series kept per kind; the rest are counted in vmzombie_findings_dropped_total.',
  ),
  'detect.grace': duration(
    '1m',
    'How long a state must persist before it is a finding (kinds without their own grace).',
  ),
  cluster: str(
    '',
    'Value of a `cluster` label added to every series (for Prometheus servers that scrape several clusters). ' +
      'Empty: no label.',
  ),
  'kube.config': str(
    '',
    'cluster mode: kubeconfig file. Empty: $KUBECONFIG, ~/.kube/config, or the in-cluster service account.',
  ),
  'kube.namespace': str('', 'cluster mode: watch only this namespace. Empty: all namespaces.'),
  'kube.recheck-interval': duration(
    '1m',
    'cluster mode: how often a resource whose CRD is not installed (404) is looked for again.',
  ),
  'kube.metrics-interval': duration(
    '30s',
    'cluster mode: how often virt-handler memory is read from metrics.k8s.io (in the background, never on a scrape).',
  ),
  'kube.watch-timeout': duration(
    '5m',
    'cluster mode: the server closes each watch after this long and it is reopened from its resourceVersion.',
  ),
  'kube.freeze-history': duration(
    '5m',
    "cluster mode: how long each VMI's freeze/unfreeze times are kept for kubevirt_freeze_loop; at least " +
      '--detect.freeze-window.',
  ),
  'vsphere.url': list(
    [],
    'vCenter or ESXi SDK URL, e.g. https://vc.example/sdk (user info in the URL is accepted). Turns the vsphere ' +
      'collector on.',
  ),
  'vsphere.username': str(
    '',
    'vSphere user (a read-only role; Datastore.Browse for the file scan). Overrides user info in the URL.',
  ),
  'vsphere.password-file': str('', 'File holding the vSphere password (trailing newline ignored).'),
  'vsphere.ca-file': str('', 'PEM file of CAs to trust for the vSphere TLS certificate.'),
  'vsphere.insecure-skip-verify': bool(false, 'Do not verify the vSphere TLS certificate.'),
  'vsphere.datastore-scan-interval': duration(
    '1h',
    'How often the slow path (VM layoutEx and one datastore search per datastore) runs; cached in between.',
  ),
  'vsphere.max-vm-series': int(
    10000,
    'Per-VM series (vmzombie_vsphere_vm_info, snapshot ages) kept per vCenter; the rest are counted in ' +
      'vmzombie_vsphere_series_dropped_total.',
  ),
  'vsphere.exclude-datastore': list([], 'Datastore name the file scan skips (e.g. shared with another vCenter).'),
  from: str('', 'scan: read this saved snapshot (from `snapshot`) instead of collecting.'),
  output: str('text', 'scan: text or json.'),
  redact: bool(
    false,
    'snapshot: cut command lines to what detection reads, replace host and user names, drop URL credentials (for a ' +
      'public bug report).',
  ),
  'log.level': str('info', 'debug, info, warn or error.'),
  'log.json': bool(false, 'Log one JSON object per line instead of text.'),
} satisfies Record<string, FlagSpec<unknown>>;

export type FlagName = keyof typeof FLAGS;
type ValueOf<S> = S extends FlagSpec<infer T> ? T : never;
export type Config = { -readonly [K in FlagName]: ValueOf<(typeof FLAGS)[K]> } & {
  /** Detector knobs: durations in seconds, thresholds as numbers. */
  [knob: `detect.${string}`]: number;
} & {
  /** Explicit --collector.X / --no-collector.X choices; absent means the source's default. */
  collectors: Record<string, boolean>;
};

/** A detector knob's value (the flag table gives every knob a default, so it is always set). */
export function knob(config: Config, name: `detect.${string}`): number {
  const value = config[name];
  if (value === undefined) throw new Error(`no such knob --${name}`);
  return value;
}

/** Every flag: the exporter's own, then each detector's knobs (one spec per name, shared ones declared once). */
export const ALL_FLAGS: Readonly<Record<string, FlagSpec<unknown>>> = composeFlags();

function composeFlags(): Record<string, FlagSpec<unknown>> {
  const all: Record<string, FlagSpec<unknown>> = { ...FLAGS };
  for (const d of DETECTORS) {
    for (const [name, spec] of Object.entries(d.knobs ?? {}) as Array<[string, FlagSpec<number>]>) {
      if (!name.startsWith('detect.')) throw new Error(`${d.kind}: knob ${name} must be a detect.* flag`);
      if (all[name] !== undefined && all[name] !== spec) throw new Error(`${d.kind}: knob --${name} is declared twice`);
      all[name] = spec;
    }
    if (d.grace !== undefined && !(d.grace in (d.knobs ?? {})))
      throw new Error(`${d.kind}: grace ${d.grace} is not one of its knobs`);
  }
  return all;
}

export function defaultConfig(): Config {
  const config = { collectors: {} } as Record<string, unknown>;
  for (const [name, spec] of Object.entries(ALL_FLAGS)) {
    config[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return config as Config;
}

export interface ParsedArgs {
  command: string | null;
  config: Config;
  help: boolean;
  rest: string[];
}

/** Parses argv (without node and script). Throws Error with a message fit for the terminal. */
export function parseArgs(argv: string[], collectorNames: readonly string[]): ParsedArgs {
  const config = defaultConfig() as Config & Record<string, unknown>;
  const explicitLists = new Set<string>();
  let command: string | null = null;
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (command === null) command = arg;
      else rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const collector = /^(no-)?collector\.(.+)$/.exec(name);
    if (collector && collectorNames.includes(collector[2] as string)) {
      const on = value === undefined ? true : parseFlagValue(name, parseBool, value);
      config.collectors[collector[2] as string] = collector[1] ? !on : on;
      continue;
    }
    let negated = false;
    if (!(name in ALL_FLAGS) && name.startsWith('no-') && name.slice(3) in ALL_FLAGS) {
      negated = true;
      name = name.slice(3);
    }
    const spec = ALL_FLAGS[name];
    if (!spec) throw new Error(`unknown flag --${name} (see --help)`);
    if (spec.type === 'bool') {
      const on = value === undefined ? true : (parseFlagValue(name, spec.parse, value) as boolean);
      config[name] = negated ? !on : on;
      continue;
    }
    if (negated) throw new Error(`--no-${name} only applies to true/false flags`);
    if (value === undefined) {
      value = argv[++i];
      // "--path.procfs --no-collector.libvirt" is a forgotten value, not a path named like a flag
      // (write --flag=--value for that).
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    }
    const parsed = parseFlagValue(name, spec.parse, value);
    if (spec.type === 'list') {
      const previous = explicitLists.has(name) ? (config[name] as string[]) : [];
      explicitLists.add(name);
      config[name] = [...previous, ...(parsed as string[])];
    } else {
      config[name] = parsed;
    }
  }
  return { command, config, help, rest };
}

function parseFlagValue<T>(name: string, parse: (raw: string) => T, raw: string): T {
  try {
    return parse(raw);
  } catch (e: unknown) {
    throw new Error(`--${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function flagsHelp(collectors: ReadonlyArray<{ name: string; description: string }>): string {
  const lines: string[] = ['Flags:'];
  for (const [name, spec] of Object.entries(ALL_FLAGS)) {
    const def =
      spec.type === 'duration'
        ? formatDuration(spec.default as number)
        : Array.isArray(spec.default)
          ? spec.default.length
            ? spec.default.join(', ')
            : '(none)'
          : String(spec.default);
    const repeat = spec.type === 'list' ? ' (repeatable)' : '';
    lines.push(`  --${name}${spec.type === 'bool' ? '' : '=<' + spec.type + '>'}`);
    lines.push(`      ${spec.help}${repeat} Default: ${def}`);
  }
  lines.push('', 'Collectors (enable with --collector.<name>, disable with --no-collector.<name>):');
  for (const c of collectors) lines.push(`  ${c.name.padEnd(10)} ${c.description}`);
  return lines.join('\n');
}
