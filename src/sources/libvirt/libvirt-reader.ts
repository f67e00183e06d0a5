// One incremental libvirt collection: one overview of every domain, XML only where it may have
// changed (DomainXmlCache), snapshot counts only where there are snapshots, the qemu pid of each
// running domain and a stat() of the files the domains reference (local URIs only).
import type { Domain, FileStat, LibvirtSection, LibvirtTransport } from '../../snapshot/libvirt.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { statIdentity, unreadFile } from '../shared/file-identity.js';
import type { DomainXml } from '../shared/parse-domain-xml.js';
import type { LibvirtBackend } from './backend.js';
import { DomainXmlCache } from './domain-xml-cache.js';
import { FileStatCache } from './file-stat-cache.js';
import { QemuPids } from './pid-files.js';
import { Transports, isLocalQemuUri, type TransportOptions } from './transport.js';
import { StorageReader } from './storage/storage-reader.js';
import { StorageUnsupportedError } from './storage/virsh-storage.js';
import { NetworkReader, NetworkUnsupportedError } from './network/network-reader.js';
import { ShutOffTimes, readSaveFiles } from './host-records.js';
import { describeError } from '../../util/fs-errors.js';
import type { LibvirtStorage } from '../../snapshot/libvirt-storage.js';
import { isLibvirtRemoteError } from './rpc/rpc-error.js';

const NO_SUPPORT = 3;

export interface LibvirtOptions extends TransportOptions {
  runDir: string;
  /** Every domain's XML is fetched again at least this often (collections). */
  xmlRefreshCollections?: number;
  /** libvirt's managed-save directory (<name>.save files); empty: not read. */
  saveDir?: string;
  /** libvirt's qemu log directory (<name>.log), which dates when a domain stopped; empty: not read. */
  logDir?: string;
  /** Told of each lifecycle event (a domain started, stopped, migrated...) as it arrives. */
  onLifecycle?: () => void;
}

export class LibvirtReader {
  private readonly cache: DomainXmlCache;
  private readonly transports: Transports;
  private readonly pids: QemuPids;
  private readonly built = new Map<string, { from: DomainXml; domain: Domain }>();
  /** Disk images often live on NFS: a dead server must not pin every libuv thread. */
  private readonly statGuard = new HungCallGuard<FileStat>(4, 2000);
  private readonly fileStats: FileStatCache;
  private readonly storage: StorageReader;
  private readonly network: NetworkReader;
  private readonly shutOffTimes: ShutOffTimes | null;

  constructor(private readonly opts: LibvirtOptions) {
    this.cache = new DomainXmlCache(opts.xmlRefreshCollections ?? 20);
    this.fileStats = new FileStatCache(opts.xmlRefreshCollections ?? 20, statIdentity, (p, why) => unreadFile(p, why));
    this.transports = new Transports(opts, (uuid, lifecycle) => {
      this.cache.markChanged(uuid);
      if (lifecycle) opts.onLifecycle?.();
    });
    this.pids = new QemuPids(opts.runDir);
    this.storage = new StorageReader(opts.xmlRefreshCollections ?? 20);
    this.network = new NetworkReader(opts.xmlRefreshCollections ?? 20);
    this.shutOffTimes = opts.logDir ? new ShutOffTimes(opts.logDir) : null;
  }

  /** Whether libvirt's lifecycle events are heard now (over RPC, its connection up). */
  hearsLifecycle(): boolean {
    return this.transports.hearsLifecycle();
  }

  /** The transport of the last collection and why it was chosen. */
  get currentTransport(): LibvirtTransport {
    return this.transports.current;
  }

  get xmlCache(): DomainXmlCache {
    return this.cache;
  }

  read(signal: AbortSignal): Promise<LibvirtSection> {
    return this.transports.run(signal, (backend) => this.readWith(backend, signal));
  }

  private async readWith(backend: LibvirtBackend, signal: AbortSignal): Promise<LibvirtSection> {
    const problems: string[] = [];
    const overview = await backend.overview(signal, problems);
    this.transports.served(backend);
    if (backend.takeReconnected()) {
      this.cache.invalidateAll();
      this.storage.invalidateAll();
      this.network.invalidateAll();
    }
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
        managedSave: overview.withManagedSave.has(d.uuid),
        pid: local && active ? await this.pids.of(d.uuid, d.id, d.name, problems) : null,
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
    this.pids.retain(live);
    for (const uuid of this.built.keys()) if (!live.has(uuid)) this.built.delete(uuid);
    const files = local
      ? await this.fileStats.read(domains, new Set(due.map((x) => x.uuid)), this.statGuard, signal)
      : [];
    for (const f of files) if (f.error) problems.push(`${f.path}: ${f.error}`);
    const storage = await this.readStorage(backend, signal, problems);
    const networks = await this.optionalRead(backend, 'networks', signal, problems, () =>
      this.network.readNetworks(backend.network, signal, problems),
    );
    const running = new Set(domains.filter((d) => d.id !== null).map((d) => d.uuid));
    const nwfilterBindings = await this.optionalRead(backend, 'nwfilter bindings', signal, problems, () =>
      this.network.readBindings(backend.network, running, signal, problems),
    );
    const host = local ? await this.hostRecords(domains, problems) : {};
    return {
      uri: this.opts.uri,
      local,
      domains,
      files,
      problems,
      transport: this.transports.current,
      ...(storage ? { storage } : {}),
      ...(networks ? { networks } : {}),
      ...(nwfilterBindings ? { nwfilterBindings } : {}),
      ...host,
    };
  }

  /** A storage driver that refuses (not loaded, no permission) costs the storage kinds, not the collection. */
  private async readStorage(
    backend: LibvirtBackend,
    signal: AbortSignal,
    problems: string[],
  ): Promise<LibvirtStorage | undefined> {
    try {
      return await this.storage.read(backend.storage, signal, problems);
    } catch (e: unknown) {
      signal.throwIfAborted();
      if (backend.transport === 'rpc' && !isLibvirtRemoteError(e)) throw e;
      // VIR_ERR_NO_SUPPORT: no storage driver in this daemon; the storage kinds say so themselves.
      if (!(isLibvirtRemoteError(e) && e.code === NO_SUPPORT) && !(e instanceof StorageUnsupportedError))
        problems.push(`storage pools: ${describeError(e)}`);
      return undefined;
    }
  }

  /** A driver that is absent or refuses costs its own kinds (they say why), not the collection. */
  private async optionalRead<T>(
    backend: LibvirtBackend,
    what: string,
    signal: AbortSignal,
    problems: string[],
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (e: unknown) {
      signal.throwIfAborted();
      if (backend.transport === 'rpc' && !isLibvirtRemoteError(e)) throw e;
      if (!(isLibvirtRemoteError(e) && e.code === NO_SUPPORT) && !(e instanceof NetworkUnsupportedError))
        problems.push(`${what}: ${describeError(e)}`);
      return undefined;
    }
  }

  private async hostRecords(
    domains: readonly Domain[],
    problems: string[],
  ): Promise<Pick<LibvirtSection, 'saveFiles' | 'shutOff'>> {
    const out: Pick<LibvirtSection, 'saveFiles' | 'shutOff'> = {};
    if (this.opts.saveDir) out.saveFiles = await readSaveFiles(this.opts.saveDir, problems);
    if (this.shutOffTimes) {
      out.shutOff = await this.shutOffTimes.read(
        domains.filter((d) => d.state === 'shutoff' && d.persistent),
        problems,
      );
    }
    return out;
  }

  close(): Promise<void> {
    return this.transports.close();
  }
}

const FACTS = ['name', 'id', 'state', 'reason', 'autostart', 'persistent', 'snapshots', 'managedSave', 'pid'] as const;
function sameFacts(a: Domain, b: Pick<Domain, (typeof FACTS)[number]>): boolean {
  return FACTS.every((k) => a[k] === b[k]);
}
