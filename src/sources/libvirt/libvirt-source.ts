// libvirt source: every domain with state, reason, autostart, persistence, disks, hostdevs and
// qemu pid. Local URIs go over libvirt's RPC protocol on the read-only socket; the rest (remote,
// session, the in-process test driver, a failed handshake) through one kept read-only virsh shell.
// Either way a collection is incremental: one overview of every domain, XML only where it may
// have changed (DomainXmlCache), snapshot counts only where there are snapshots.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Domain, FileStat, LibvirtSection, LibvirtTransport } from '../../snapshot/libvirt.js';
import type { SourceDefinition } from '../source.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { escapeXml } from '../../util/xml-escape.js';
import { statIdentity, unreadFile } from '../shared/file-identity.js';
import type { LibvirtBackend } from './backend.js';
import { DomainXmlCache } from './domain-xml-cache.js';
import type { DomainXml } from '../shared/parse-domain-xml.js';
import { FileStatCache } from './file-stat-cache.js';
import { RpcBackend } from './rpc-backend.js';
import { VirshBackend } from './virsh-backend.js';
import { rpcEndpoint } from './rpc/endpoint.js';
import { isRpcHandshakeError } from './rpc/client.js';
import { abortOnSignal } from './rpc/abort.js';

/** A URI names this host when it has no server part and drives QEMU (whose processes we can see). */
export function isLocalQemuUri(uri: string): boolean {
  const m = /^([a-z0-9+]+):\/\/([^/]*)\//i.exec(uri);
  if (!m) return false;
  const [scheme, transport] = (m[1] as string).toLowerCase().split('+');
  return scheme === 'qemu' && (m[2] === '' || transport === 'unix');
}

export const TRANSPORT_CHOICES = ['auto', 'rpc', 'virsh'] as const;
export type TransportChoice = (typeof TRANSPORT_CHOICES)[number];

export interface LibvirtOptions {
  virsh: string;
  uri: string;
  runDir: string;
  /** auto: RPC where the socket reaches, virsh otherwise. */
  transport?: TransportChoice;
  /** Every domain's XML is fetched again at least this often (collections). */
  xmlRefreshCollections?: number;
  /** Where libvirt's sockets are (/run/libvirt). */
  socketDir?: string;
}

/** After a failed RPC handshake, virsh serves for this long before RPC is tried again. */
const HANDSHAKE_RETRY_MS = 10 * 60_000;

export class LibvirtReader {
  private readonly cache: DomainXmlCache;
  private rpc: RpcBackend | null = null;
  private virsh: VirshBackend | null = null;
  private rpcRetryAt = 0;
  private transport: LibvirtTransport;
  private readonly configError: string | null = null;
  /** qemu pid per uuid, valid while the domain keeps the runtime id it was read for. */
  private readonly pids = new Map<string, { id: number; pid: number }>();
  private readonly built = new Map<string, { from: DomainXml; domain: Domain }>();
  /** Disk images often live on NFS: a dead server must not pin every libuv thread. */
  private readonly statGuard = new HungCallGuard<FileStat>(4, 2000);
  private readonly fileStats: FileStatCache;

  constructor(private readonly opts: LibvirtOptions) {
    this.cache = new DomainXmlCache(opts.xmlRefreshCollections ?? 20);
    this.fileStats = new FileStatCache(opts.xmlRefreshCollections ?? 20, statIdentity, (p, why) => unreadFile(p, why));
    const choice = opts.transport ?? 'auto';
    const endpoint = choice === 'virsh' ? null : rpcEndpoint(opts.uri, opts.socketDir ?? '/run/libvirt');
    if (endpoint !== null && typeof endpoint === 'object') {
      this.rpc = new RpcBackend(endpoint, (uuid) => this.cache.markChanged(uuid));
      this.transport = { name: 'rpc', reason: 'local_socket', detail: endpoint.socketPath };
    } else if (choice === 'rpc') {
      this.configError =
        `--libvirt.transport=rpc: ${opts.uri} is not reachable over a local socket ` + `(${String(endpoint)})`;
      this.transport = { name: 'rpc', reason: 'configured', detail: this.configError };
    } else {
      this.transport =
        choice === 'virsh'
          ? { name: 'virsh', reason: 'configured', detail: '--libvirt.transport=virsh' }
          : { name: 'virsh', reason: endpoint as string, detail: opts.uri };
    }
  }

  /** The transport of the last collection and why it was chosen. */
  get currentTransport(): LibvirtTransport {
    return this.transport;
  }

  get xmlCache(): DomainXmlCache {
    return this.cache;
  }

  private virshBackend(): VirshBackend {
    this.virsh ??= new VirshBackend(this.opts.virsh, this.opts.uri);
    return this.virsh;
  }

  async read(signal: AbortSignal): Promise<LibvirtSection> {
    if (this.configError) throw new Error(this.configError);
    // One abort listener per collection, whatever the number of calls in it.
    const release = this.rpc ? abortOnSignal(signal, (reason) => this.rpc?.abort(reason)) : () => {};
    try {
      if (this.rpc && Date.now() >= this.rpcRetryAt) {
        try {
          const section = await this.readWith(this.rpc, signal);
          await this.virsh?.close();
          this.virsh = null;
          return section;
        } catch (e: unknown) {
          if (!isRpcHandshakeError(e) || this.opts.transport === 'rpc') throw e;
          this.rpcRetryAt = Date.now() + HANDSHAKE_RETRY_MS;
          this.transport = { name: 'virsh', reason: 'handshake_failed', detail: describeError(e) };
        }
      }
      return await this.readWith(this.virshBackend(), signal);
    } finally {
      release();
    }
  }

  private async readWith(backend: LibvirtBackend, signal: AbortSignal): Promise<LibvirtSection> {
    const problems: string[] = [];
    const overview = await backend.overview(signal, problems);
    if (backend.transport === 'rpc' && this.rpc)
      this.transport = { name: 'rpc', reason: 'local_socket', detail: this.rpc.endpoint.socketPath };
    if (backend.takeReconnected()) this.cache.invalidateAll();
    const withSnapshots = overview.domains.filter((d) => overview.withSnapshots.has(d.uuid));
    const snapshots = await backend.snapshotCounts(withSnapshots, signal, problems);
    const due = this.cache.due(overview.domains);
    let stored = false;
    try {
      const texts = await backend.xml(due, signal, problems);
      await this.cache.store(due, texts, signal);
      stored = true;
    } finally {
      if (!stored) this.cache.retry(due.map((d) => d.uuid));
    }

    const local = isLocalQemuUri(this.opts.uri);
    const domains: Domain[] = [];
    for (const d of overview.domains) {
      const cached = this.cache.get(d.uuid);
      // Not fetched: it went away between the overview and its XML.
      if (!cached) continue;
      if (!cached.xml) {
        problems.push(`domain ${d.uuid}: ${cached.error ?? 'no XML'}`);
        continue;
      }
      const active = d.state !== 'shutoff' && d.state !== 'nostate';
      const next = {
        name: d.name,
        id: d.id,
        state: d.state,
        reason: d.reason,
        autostart: overview.autostart.has(d.uuid),
        persistent: !overview.transient.has(d.uuid),
        snapshots: snapshots.get(d.uuid) ?? 0,
        pid: local && active ? await this.pidOf(d.uuid, d.id, d.name, problems) : null,
      };
      // The same XML and the same facts give the same object: no new garbage for 1000 unchanged domains.
      const built = this.built.get(d.uuid);
      if (built && built.from === cached.xml && sameFacts(built.domain, next)) {
        domains.push(built.domain);
        continue;
      }
      const domain: Domain = { ...cached.xml, uuid: d.uuid, ...next };
      this.built.set(d.uuid, { from: cached.xml, domain });
      domains.push(domain);
    }
    const live = new Set(domains.map((d) => d.uuid));
    for (const uuid of this.pids.keys()) if (!live.has(uuid)) this.pids.delete(uuid);
    for (const uuid of this.built.keys()) if (!live.has(uuid)) this.built.delete(uuid);
    const files = local
      ? await this.fileStats.read(domains, new Set(due.map((x) => x.uuid)), this.statGuard, signal)
      : [];
    for (const f of files) if (f.error) problems.push(`${f.path}: ${f.error}`);
    return { uri: this.opts.uri, local, domains, files, problems, transport: this.transport };
  }

  private async pidOf(uuid: string, id: number | null, name: string, problems: string[]): Promise<number | null> {
    const known = this.pids.get(uuid);
    if (id !== null && known?.id === id) return known.pid;
    const pid = await this.readPid(name, problems);
    if (pid !== null && id !== null) this.pids.set(uuid, { id, pid });
    return pid;
  }

  /**
   * The qemu pid libvirt recorded. libvirt 9 names the pid file after the XML-escaped domain name
   * (`a &quot;b&quot;.pid`), the status file after the plain one; try both, then the status XML.
   */
  private async readPid(name: string, problems: string[]): Promise<number | null> {
    const dir = this.opts.runDir;
    for (const file of [`${name}.pid`, `${escapeXml(name)}.pid`]) {
      const text = await readOptional(path.join(dir, file), problems);
      const pid = text === null ? NaN : Number(text.trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
    const status = await readOptional(path.join(dir, `${name}.xml`), problems);
    const m = status === null ? null : /<domstatus\b[^>]*\bpid=['"](\d+)['"]/.exec(status);
    return m ? Number(m[1]) : null;
  }

  async close(): Promise<void> {
    await this.rpc?.close();
    await this.virsh?.close();
  }
}

const FACTS = ['name', 'id', 'state', 'reason', 'autostart', 'persistent', 'snapshots', 'pid'] as const;
function sameFacts(a: Domain, b: Pick<Domain, (typeof FACTS)[number]>): boolean {
  return FACTS.every((k) => a[k] === b[k]);
}

async function readOptional(file: string, problems: string[]): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e: unknown) {
    if (errorCode(e) !== 'ENOENT') problems.push(`${file}: ${describeError(e)}`);
    return null;
  }
}

export const libvirtSource: SourceDefinition<'libvirt'> = {
  name: 'libvirt',
  description:
    "domains, states, disks and devices over libvirt's read-only RPC socket, " +
    'or a read-only virsh shell (--libvirt.uri)',
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const reader = new LibvirtReader({
      virsh: config['libvirt.virsh'],
      uri: config['libvirt.uri'],
      runDir: config['libvirt.run-dir'],
      transport: config['libvirt.transport'],
      xmlRefreshCollections: config['libvirt.xml-refresh'],
    });
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
