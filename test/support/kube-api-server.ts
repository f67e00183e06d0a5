// A small Kubernetes API server for tests, speaking the real list/watch protocol over HTTP: lists
// carry a resourceVersion; `?watch=true` streams ADDED/MODIFIED/DELETED (and BOOKMARK when
// allowWatchBookmarks=true) lines from a resourceVersion; a resourceVersion older than the last
// compaction gets 410 Gone (as an ERROR event with an Expired Status, or as an HTTP 410); resources
// not installed answer 404 with a NotFound Status; lists page with limit/continue (an expired
// continue token gets 410). Tests can drop every watch mid-stream (or mid-line), make a resource
// answer an HTTP error (403, 500), slow every answer down, stop the server and start it again on
// the same port with its state kept.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const RESOURCES = {
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  pvcs: { group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
  pvs: { group: '', version: 'v1', plural: 'persistentvolumes', kind: 'PersistentVolume' },
  vms: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', kind: 'VirtualMachine' },
  vmis: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', kind: 'VirtualMachineInstance' },
  vmbackups: {
    group: 'harvesterhci.io',
    version: 'v1beta1',
    plural: 'virtualmachinebackups',
    kind: 'VirtualMachineBackup',
  },
  lhbackups: { group: 'longhorn.io', version: 'v1beta2', plural: 'backups', kind: 'Backup' },
  datavolumes: { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', kind: 'DataVolume' },
  podmetrics: { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', kind: 'PodMetrics' },
  migrations: {
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstancemigrations',
    kind: 'VirtualMachineInstanceMigration',
  },
  vmsnapshots: {
    group: 'snapshot.kubevirt.io',
    version: 'v1beta1',
    plural: 'virtualmachinesnapshots',
    kind: 'VirtualMachineSnapshot',
  },
  vmrestores: {
    group: 'snapshot.kubevirt.io',
    version: 'v1beta1',
    plural: 'virtualmachinerestores',
    kind: 'VirtualMachineRestore',
  },
  volumesnapshots: {
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    plural: 'volumesnapshots',
    kind: 'VolumeSnapshot',
  },
  volumesnapshotcontents: {
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    plural: 'volumesnapshotcontents',
    kind: 'VolumeSnapshotContent',
  },
  vmimages: {
    group: 'harvesterhci.io',
    version: 'v1beta1',
    plural: 'virtualmachineimages',
    kind: 'VirtualMachineImage',
  },
  backingimages: { group: 'longhorn.io', version: 'v1beta2', plural: 'backingimages', kind: 'BackingImage' },
  lhorphans: { group: 'longhorn.io', version: 'v1beta2', plural: 'orphans', kind: 'Orphan' },
  lhvolumes: { group: 'longhorn.io', version: 'v1beta2', plural: 'volumes', kind: 'Volume' },
} as const satisfies Record<string, ResourceType>;

export type ResourceName = keyof typeof RESOURCES;
type Obj = { metadata: Record<string, unknown> & { name: string; namespace?: string }; [k: string]: unknown };

interface Event {
  rv: number;
  resource: ResourceName;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}
interface Watcher {
  resource: ResourceName;
  namespace: string | null;
  selector: string | null;
  bookmarks: boolean;
  res: http.ServerResponse;
}
export interface RequestRecord {
  resource: ResourceName | null;
  watch: boolean;
  query: string;
  /** The Authorization header the client sent (the kubeconfig's token). */
  authorization: string | null;
}

const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);
const clone = <T>(o: T): T => structuredClone(o);

/** Equality (`a=b`, `a==b`), inequality (`a!=b`), existence (`a`) and absence (`!a`) selectors. */
export function matchesSelector(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true;
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      let m = /^([^!=]+)!=(.*)$/.exec(term);
      if (m) return labels[m[1] as string] !== m[2];
      m = /^([^!=]+)==?(.*)$/.exec(term);
      if (m) return labels[m[1] as string] === m[2];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

export class KubeApiServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<Watcher>();
  private readonly objects = new Map<ResourceName, Map<string, Obj>>();
  private readonly events: Event[] = [];
  private readonly installed = new Set<ResourceName>();
  private rv = 1000;
  private compactedRv = 0;
  private uidCounter = 0;
  private pageCounter = 0;
  /** The rest of a paged list: its snapshot's objects from `from` on, at the first page's resourceVersion. */
  private readonly pages = new Map<string, { rv: number; items: Obj[]; from: number }>();
  port = 0;
  /** 'event': 200 + ERROR event with a 410 Status (what kube-apiserver does); 'http': a plain HTTP 410. */
  goneMode: 'event' | 'http' = 'event';
  readonly requests: RequestRecord[] = [];
  /** Resources that answer every request with this HTTP status (403 Forbidden, 500, ...). */
  readonly faults = new Map<ResourceName, number>();
  /** Resources whose lists answer 200 with a body cut off mid-JSON (a proxy that drops the connection). */
  readonly garbledLists = new Set<ResourceName>();
  /** Every request is answered this much later (a slow or overloaded server). */
  delayMs = 0;
  /** Called when a list asks for a next page (tests compact here to expire the token). */
  onContinue: ((resource: ResourceName) => void) | null = null;

  constructor(installed: ResourceName[] = Object.keys(RESOURCES) as ResourceName[]) {
    for (const r of installed) this.installed.add(r);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection (the API server going down). State is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    this.watchers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  install(resource: ResourceName): void {
    this.installed.add(resource);
  }
  uninstall(resource: ResourceName): void {
    this.installed.delete(resource);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  create(resource: ResourceName, object: Obj): Obj {
    const o = clone(object);
    const md = o.metadata;
    md.uid ??= `00000000-0000-4000-8000-${String(++this.uidCounter).padStart(12, '0')}`;
    md.creationTimestamp ??= new Date().toISOString();
    return this.store(resource, 'ADDED', o);
  }

  /** Replaces the stored object (same namespace/name) with `object`, keeping its uid. */
  update(resource: ResourceName, object: Obj): Obj {
    const key = this.keyOf(object);
    const current = this.objects.get(resource)?.get(key);
    if (!current) throw new Error(`update of unknown ${resource} ${key}`);
    const o = clone(object);
    o.metadata.uid = current.metadata.uid;
    o.metadata.creationTimestamp = current.metadata.creationTimestamp;
    return this.store(resource, 'MODIFIED', o);
  }

  /** Applies `change` to a copy of the stored object and stores it as a MODIFIED event. */
  modify(resource: ResourceName, namespace: string, name: string, change: (o: Obj) => void): Obj {
    const current = this.get(resource, namespace, name);
    if (!current) throw new Error(`modify of unknown ${resource} ${namespace}/${name}`);
    change(current);
    return this.update(resource, current);
  }

  remove(resource: ResourceName, namespace: string, name: string): void {
    const current = this.get(resource, namespace, name);
    if (!current) throw new Error(`remove of unknown ${resource} ${namespace}/${name}`);
    this.store(resource, 'DELETED', current);
  }

  get(resource: ResourceName, namespace: string, name: string): Obj | undefined {
    const o = this.objects.get(resource)?.get(`${namespace}/${name}`);
    return o ? clone(o) : undefined;
  }

  /** Forgets history: every resourceVersion handed out so far is too old to watch from (410 Gone). */
  compact(): void {
    this.compactedRv = ++this.rv;
    this.events.length = 0;
  }

  /** Cuts every open watch connection mid-stream (a load balancer or apiserver restart does this). */
  dropWatches(): number {
    const n = this.watchers.size;
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
    return n;
  }

  /** Cuts every open watch in the middle of an event line: half a JSON object, then the socket closes. */
  cutWatchesMidLine(): number {
    const n = this.watchers.size;
    for (const w of this.watchers) {
      w.res.write('{"type":"MODIFIED","object":{"kind":"Cut","metadata":{"name":"ha', () => w.res.socket?.destroy());
    }
    this.watchers.clear();
    return n;
  }

  /**
   * Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. Resolves once
   * each line is handed to the kernel: a watch dropped after that still delivers it, before its end.
   */
  bookmark(): Promise<void> {
    const written: Array<Promise<void>> = [];
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const t = RESOURCES[w.resource];
      const line =
        JSON.stringify({
          type: 'BOOKMARK',
          object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.rv) } },
        }) + '\n';
      written.push(new Promise((resolve) => w.res.write(line, () => resolve())));
    }
    return Promise.all(written).then(() => {});
  }

  /**
   * Holds every open watch's writes until releaseWatches(): events stored meanwhile reach the client together,
   * so a benchmark can time the client's reading apart from this server's storing.
   */
  holdWatches(): void {
    for (const w of this.watchers) w.res.cork();
  }

  releaseWatches(): void {
    for (const w of this.watchers) w.res.uncork();
  }

  openWatches(): number {
    return this.watchers.size;
  }

  listRequests(resource?: ResourceName): number {
    return this.requests.filter((r) => !r.watch && (resource === undefined || r.resource === resource)).length;
  }

  private keyOf(o: Obj): string {
    return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  private store(resource: ResourceName, type: Event['type'], o: Obj): Obj {
    const t = RESOURCES[resource];
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    o.metadata.resourceVersion = String(++this.rv);
    let map = this.objects.get(resource);
    if (!map) this.objects.set(resource, (map = new Map()));
    if (type === 'DELETED') map.delete(this.keyOf(o));
    else map.set(this.keyOf(o), clone(o));
    const event: Event = { rv: this.rv, resource, type, object: clone(o) };
    this.events.push(event);
    for (const w of this.watchers)
      if (this.matches(w, event.resource, event.object)) this.send(w, event.type, event.object);
    return clone(o);
  }

  private matches(
    w: { resource: ResourceName; namespace: string | null; selector: string | null },
    resource: ResourceName,
    o: Obj,
  ): boolean {
    if (w.resource !== resource) return false;
    if (w.namespace !== null && (o.metadata.namespace ?? '') !== w.namespace) return false;
    return matchesSelector((o.metadata.labels ?? {}) as Record<string, string>, w.selector);
  }

  private send(w: Watcher, type: string, object: Obj): void {
    w.res.write(JSON.stringify({ type, object }) + '\n');
  }

  private route(pathname: string): { resource: ResourceName; namespace: string | null } | null {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(pathname);
    if (!m) return null;
    const group = m[1] ? '' : (m[2] as string);
    const version = (m[1] ?? m[3]) as string;
    const entry = (Object.entries(RESOURCES) as Array<[ResourceName, ResourceType]>).find(
      ([, t]) => t.group === group && t.version === version && t.plural === m[5],
    );
    return entry ? { resource: entry[0], namespace: m[4] ? decodeURIComponent(m[4]) : null } : null;
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        details: {},
        code,
      }),
    );
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.delayMs > 0) {
      setTimeout(() => {
        if (!res.destroyed) this.answer(req, res);
      }, this.delayMs).unref();
      return;
    }
    this.answer(req, res);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.route(url.pathname);
    const q = url.searchParams;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    this.requests.push({
      resource: route?.resource ?? null,
      watch,
      query: url.search,
      authorization: req.headers.authorization ?? null,
    });
    if (req.method !== 'GET') return this.status(res, 405, 'MethodNotAllowed', 'this test server is read-only');
    if (!route || !this.installed.has(route.resource)) {
      return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const fault = this.faults.get(route.resource);
    if (fault !== undefined) {
      const reason = fault === 403 ? 'Forbidden' : fault === 500 ? 'InternalError' : 'Failure';
      return this.status(
        res,
        fault,
        reason,
        fault === 403
          ? `${RESOURCES[route.resource].plural} is forbidden: ` +
              'User "system:serviceaccount:monitoring:vmzombie" cannot list resource'
          : 'Internal error occurred: etcdserver: request timed out',
      );
    }
    if (!watch && this.garbledLists.has(route.resource)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind":"List","items":[{"metadata":{"name":');
      return;
    }
    const filter = { resource: route.resource, namespace: route.namespace, selector: q.get('labelSelector') };
    const matching = () =>
      [...(this.objects.get(route.resource)?.values() ?? [])].filter((o) => this.matches(filter, route.resource, o));
    if (!watch) {
      const t = RESOURCES[route.resource];
      // Paging (limit / continue): later pages come from the snapshot of the first one, as from etcd, and cost
      // their own size (a benchmark's API server shares the machine with the agent it serves).
      let snapshot: { rv: number; items: Obj[]; from: number };
      const token = q.get('continue');
      if (token) {
        this.onContinue?.(route.resource);
        const page = this.pages.get(token);
        if (!page || page.rv < this.compactedRv)
          return this.status(
            res,
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result.',
          );
        this.pages.delete(token);
        snapshot = page;
      } else {
        snapshot = { rv: this.rv, items: matching(), from: 0 };
      }
      const limit = Number(q.get('limit') ?? '0');
      const metadata: Record<string, string> = { resourceVersion: String(snapshot.rv) };
      const end = limit > 0 ? Math.min(snapshot.from + limit, snapshot.items.length) : snapshot.items.length;
      const items = snapshot.items.slice(snapshot.from, end);
      if (end < snapshot.items.length) {
        const next = `page-${++this.pageCounter}`;
        this.pages.set(next, { rv: snapshot.rv, items: snapshot.items, from: end });
        metadata.continue = next;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata, items }));
      return;
    }
    const current = matching();
    const from = q.get('resourceVersion') ?? '';
    const fromRv = from === '' || from === '0' ? null : Number(from);
    if (fromRv !== null && (Number.isNaN(fromRv) || fromRv < this.compactedRv)) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      if (this.goneMode === 'http') return this.status(res, 410, 'Expired', message);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message,
            reason: 'Expired',
            code: 410,
          },
        }) + '\n',
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { ...filter, bookmarks: q.get('allowWatchBookmarks') === 'true', res };
    if (fromRv === null) {
      for (const o of current) this.send(w, 'ADDED', o);
    } else {
      for (const e of this.events)
        if (e.rv > fromRv && this.matches(w, e.resource, e.object)) this.send(w, e.type, e.object);
    }
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const timer =
      timeout > 0
        ? setTimeout(() => {
            this.watchers.delete(w);
            res.end();
          }, timeout * 1000)
        : null;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }
}
