// vsphere source: for each --vsphere.url, the fast path every collection (one container view and
// RetrievePropertiesEx for VMs, hosts, clusters, datastores) and the slow path in the background
// every --vsphere.datastore-scan-interval (layoutEx + one datastore search per datastore), whose
// last result is served in between. Read-only: it only reads properties and lists datastores.
import { waitAtMost } from '../../util/wait-at-most.js';
import { readFile } from 'node:fs/promises';
import type { FileScan, MoRef, Vcenter, VsphereSection } from '../../snapshot/vsphere.js';
import type { SourceDefinition } from '../source.js';
import { VSPHERE_FLAGS } from './flags.js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/fs-errors.js';
import { SoapClient, vcenterLabel } from './soap-client.js';
import { retrieveFromContainer, retrieveObject } from './retrieve.js';
import { INVENTORY_SPECS, keepFieldKeys, parseInventory, type Inventory } from './parse-inventory.js';
import { readLayouts, scanDatastores } from './file-scan.js';
import { isVsphereFaultError } from './vsphere-fault-error.js';
import { listFcds, readVmEvents } from './fcd-events.js';
import { knownOwnerError, knownOwnersInEffect } from '../../util/vsphere-known-owners.js';

export interface VsphereOptions {
  url: string;
  username: string;
  passwordFile: string;
  caFile: string;
  insecureSkipVerify: boolean;
  scanIntervalSeconds: number;
  scanTimeoutSeconds: number;
  excludeDatastores: readonly string[];
  /** Events read per file scan (0: none). */
  maxEvents: number;
  clock?: () => number;
}

/** Parses --vsphere.url; user info in the URL is accepted (as govc does). */
export function parseVsphereUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw.includes('://') ? raw : `https://${raw}`);
  } catch {
    throw new Error(`--vsphere.url: not a URL: "${raw.replace(/\/\/[^@/]*@/, '//…@')}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new Error(`--vsphere.url: expected http(s), got ${u.protocol}`);
  return u;
}

const LOGIN_BACKOFF_SECONDS = 300;
const EMPTY_SCAN: FileScan = { layoutsAt: null, layoutError: null, layouts: [], datastores: [] };

export class VcenterReader {
  readonly vcenter: string;
  private client: SoapClient | null = null;
  private scan: FileScan = EMPTY_SCAN;
  private scanning: Promise<void> | null = null;
  /** What the last file scan could not read besides layouts and listings (FCDs, events). */
  private scanProblems: string[] = [];
  /**
   * The keys of the vmzombie.keep custom attribute: read at the first collection and again with each file
   * scan (attributes are defined once; their values, on each VM, are read at every collection).
   */
  private keepKeys: Set<string> | null = null;
  private lastScanStart = -Infinity;
  private readonly closing = new AbortController();
  /** After InvalidLogin, no new attempt before this (Unix seconds), so the account is not locked out. */
  private loginBlockedUntil = 0;
  private loginError: string | null = null;
  private readonly clock: () => number;

  constructor(
    private readonly opts: VsphereOptions,
    private readonly log: Logger,
  ) {
    this.vcenter = vcenterLabel(parseVsphereUrl(opts.url));
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  private async getClient(): Promise<SoapClient> {
    if (this.client) return this.client;
    const url = parseVsphereUrl(this.opts.url);
    const username = this.opts.username || decodeURIComponent(url.username);
    let password = decodeURIComponent(url.password);
    if (this.opts.passwordFile) password = (await readFile(this.opts.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    const ca = this.opts.caFile ? await readFile(this.opts.caFile, 'utf8') : undefined;
    this.client = new SoapClient({
      url,
      username,
      password,
      ...(ca ? { ca } : {}),
      insecureSkipVerify: this.opts.insecureSkipVerify,
    });
    return this.client;
  }

  async read(signal: AbortSignal, problems: string[]): Promise<Vcenter> {
    if (this.clock() < this.loginBlockedUntil) {
      throw new Error(
        `${this.loginError} (next login attempt after ` +
          `${new Date(this.loginBlockedUntil * 1000).toISOString()}, to avoid locking the account)`,
      );
    }
    const started = this.clock();
    const client = await this.getClient();
    const sc = await client.serviceContent(signal);
    let objects;
    try {
      ({ objects } = await retrieveFromContainer(client, INVENTORY_SPECS, signal));
    } catch (e: unknown) {
      if (isVsphereFaultError(e) && e.fault === 'InvalidLogin') {
        // Wrong credentials: wait before trying again, and read the password file anew then.
        this.loginBlockedUntil = this.clock() + LOGIN_BACKOFF_SECONDS;
        this.loginError = describeError(e);
        this.client = null;
        await client.close();
      }
      throw e;
    }
    if (this.keepKeys === null) {
      const fieldProblems: string[] = [];
      this.keepKeys = await this.keepFieldKeys(client, sc.customFieldsManager, signal, fieldProblems);
      for (const p of fieldProblems) problems.push(`${this.vcenter}: ${p}`);
    }
    const inv = parseInventory(objects, this.keepKeys);
    for (const p of inv.problems) problems.push(`${this.vcenter}: ${p}`);
    if (this.clock() - this.lastScanStart >= this.opts.scanIntervalSeconds && !this.scanning)
      this.startScan(client, inv);
    if (this.scan.layoutsAt === null && this.scanning) {
      // No file scan has finished yet (first collection, `scan`, `snapshot`): wait for it while the
      // collection still has time (80% of the timeout), else let it finish in the background.
      const budget = 0.8 * this.opts.scanTimeoutSeconds - (this.clock() - started);
      if (budget > 0) await waitAtMost(this.scanning, budget * 1000, signal);
    }
    const scan = this.scan;
    if (scan.layoutError) problems.push(`${this.vcenter}: file scan: reading VM layouts failed: ${scan.layoutError}`);
    for (const p of this.scanProblems) problems.push(`${this.vcenter}: file scan: ${p}`);
    for (const d of scan.datastores)
      if (d.error) problems.push(`${this.vcenter}: file scan of datastore ${d.datastore} failed: ${d.error}`);
    return {
      vcenter: this.vcenter,
      apiType: sc.apiType,
      vms: inv.vms,
      hosts: inv.hosts,
      clusters: inv.clusters,
      datastores: inv.datastores.map(({ moid, name, accessible, type }) => ({ moid, name, accessible, type })),
      files: scan,
    };
  }

  /** The keys of the vmzombie.keep custom attribute; none when the server has no custom attributes or hides them. */
  private async keepFieldKeys(
    client: SoapClient,
    manager: MoRef | null,
    signal: AbortSignal,
    problems: string[],
  ): Promise<Set<string>> {
    if (!manager) return new Set();
    try {
      return keepFieldKeys((await retrieveObject(client, manager, ['field'], signal))?.props.get('field'));
    } catch (e: unknown) {
      if (signal.aborted) throw e;
      problems.push(`custom attribute definitions not readable (${describeError(e)}); keep markers not read`);
      return new Set();
    }
  }

  /** The slow path, in the background under its own timeout, so it never holds up a scrape. */
  private startScan(client: SoapClient, inv: Inventory): void {
    this.lastScanStart = this.clock();
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.opts.scanTimeoutSeconds * 1000)]);
    const started = this.clock();
    this.scanning = (async () => {
      const previous = this.scan;
      // Datastores first, then layouts: a VM created in between is then seen as using its files.
      const datastores = await scanDatastores(
        client,
        inv.datastores,
        previous.datastores,
        new Set(this.opts.excludeDatastores),
        this.clock,
        signal,
      ).catch((e: unknown) => previous.datastores.map((d) => ({ ...d, error: `scan aborted: ${describeError(e)}` })));
      let next: FileScan;
      const scanProblems: string[] = [];
      try {
        next = { layoutsAt: this.clock(), layoutError: null, layouts: await readLayouts(client, signal), datastores };
        const extra = await this.readFcdsAndEvents(client, inv, datastores, signal, scanProblems);
        next = { ...next, ...extra };
        // A keep attribute defined since: its values count from the next collection.
        const sc = await client.serviceContent(signal);
        this.keepKeys = await this.keepFieldKeys(client, sc.customFieldsManager, signal, scanProblems);
      } catch (e: unknown) {
        // Keep the previous listings with the previous layouts: new listings against old layouts
        // would show files of VMs created since as unused.
        next = { ...previous, layoutError: describeError(signal.aborted ? signal.reason : e) };
      }
      this.scanProblems = scanProblems;
      this.scan = next;
      this.log.debug('vsphere file scan done', {
        vcenter: this.vcenter,
        seconds: this.clock() - started,
        files: datastores.reduce((n, d) => n + d.files.length, 0),
      });
    })().finally(() => {
      this.scanning = null;
    });
  }

  /** FCDs of the datastores just listed, and the event history; a failure drops only that part. */
  private async readFcdsAndEvents(
    client: SoapClient,
    inv: Inventory,
    listed: FileScan['datastores'],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Pick<FileScan, 'fcds' | 'events'>> {
    const sc = await client.serviceContent(signal);
    const out: Pick<FileScan, 'fcds' | 'events'> = {};
    if (sc.vStorageObjectManager) {
      try {
        const fcds = [];
        for (const d of listed.filter((x) => x.error === null)) {
          const ds = inv.datastores.find((x) => x.name === d.datastore);
          if (ds) fcds.push(...(await listFcds(client, sc.vStorageObjectManager, ds, signal)));
        }
        out.fcds = fcds;
      } catch (e: unknown) {
        if (signal.aborted) throw e;
        problems.push(`listing First-Class Disks failed: ${describeError(e)}`);
      }
    }
    if (sc.eventManager && this.opts.maxEvents > 0) {
      try {
        out.events = await readVmEvents(client, sc.eventManager, this.opts.maxEvents, signal);
      } catch (e: unknown) {
        if (signal.aborted) throw e;
        problems.push(`reading the event history failed: ${describeError(e)}`);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('source closed'));
    await this.scanning?.catch(() => {});
    await this.client?.close();
  }
}

export class VsphereReader {
  readonly vcenters: VcenterReader[];
  private readonly knownOwners: string[];
  constructor(
    opts: Omit<VsphereOptions, 'url'> & { urls: readonly string[]; knownOwners: readonly string[] },
    log: Logger,
  ) {
    this.vcenters = opts.urls.map((url) => new VcenterReader({ ...opts, url }, log));
    this.knownOwners = [...opts.knownOwners];
  }

  async read(signal: AbortSignal): Promise<VsphereSection> {
    const problems: string[] = [];
    const vcenters = await Promise.all(
      this.vcenters.map((r) =>
        r.read(signal, problems).catch((e: unknown) => {
          throw new Error(`${r.vcenter}: ${describeError(signal.aborted ? (signal.reason ?? e) : e)}`, { cause: e });
        }),
      ),
    );
    return { vcenters, problems, knownOwners: this.knownOwners };
  }

  async close(): Promise<void> {
    await Promise.all(this.vcenters.map((r) => r.close()));
  }
}

export const vsphereSource: SourceDefinition<'vsphere'> = {
  name: 'vsphere',
  description: 'VMs, hosts, snapshots and datastore files of vCenter/ESXi through the SOAP API (--vsphere.url)',
  flags: VSPHERE_FLAGS,
  enabledByDefault: (config) => config['vsphere.url'].length > 0,
  create(config, log) {
    for (const e of config['vsphere.known-owner']) {
      const err = knownOwnerError(e);
      if (err) throw new Error(err);
    }
    const reader = new VsphereReader(
      {
        urls: config['vsphere.url'],
        username: config['vsphere.username'],
        passwordFile: config['vsphere.password-file'],
        caFile: config['vsphere.ca-file'],
        insecureSkipVerify: config['vsphere.insecure-skip-verify'],
        scanIntervalSeconds: config['vsphere.datastore-scan-interval'],
        scanTimeoutSeconds: config['collector.timeout'],
        excludeDatastores: config['vsphere.exclude-datastore'],
        maxEvents: config['vsphere.max-events'],
        knownOwners: knownOwnersInEffect(config['vsphere.known-owner'], config['vsphere.default-known-owners']),
      },
      log,
    );
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
