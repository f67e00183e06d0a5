// A thin vSphere SOAP client over node:http(s): logs in once and keeps the vmware_soap_session
// cookie, logs in again when the server answers NotAuthenticated, logs out on close. Every call
// takes the collector's AbortSignal, so a timeout tears the request down.
import http from 'node:http';
import https from 'node:https';
import type { MoRef } from '../../snapshot/vsphere.js';
import {
  child,
  envelope,
  escapeXml,
  moRef,
  moRefXml,
  parseEnvelope,
  text,
  type XmlNode,
  type XmlValue,
} from './xml.js';
import { isVsphereFaultError } from './vsphere-fault-error.js';

export interface SoapClientOptions {
  url: URL;
  username: string;
  password: string;
  /** PEM CAs to trust (https only). */
  ca?: string;
  insecureSkipVerify?: boolean;
  /** Largest response accepted, in bytes (a guard against a runaway answer). */
  maxResponseBytes?: number;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  /** Absent on servers without event history or First-Class Disks (ESXi has no vStorageObjectManager). */
  eventManager: MoRef | null;
  vStorageObjectManager: MoRef | null;
  /** Absent on a standalone ESXi without custom attributes. */
  customFieldsManager: MoRef | null;
  apiType: string;
  apiVersion: string;
}

/** A request failed on a kept-alive socket the server had already closed. */
class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** "https://u:p@vc:443/sdk" → "vc:443"; the default port is written out so the label is stable. */
export function vcenterLabel(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

export class SoapClient {
  readonly endpoint: URL;
  private readonly agent: http.Agent;
  private cookie: string | null = null;
  private content: ServiceContent | null = null;
  private loggingIn: Promise<void> | null = null;

  constructor(private readonly opts: SoapClientOptions) {
    const u = new URL(opts.url.href);
    u.username = '';
    u.password = '';
    if (u.pathname === '' || u.pathname === '/') u.pathname = '/sdk';
    this.endpoint = u;
    this.agent =
      u.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 4,
            ...(opts.ca ? { ca: opts.ca } : {}),
            rejectUnauthorized: !opts.insecureSkipVerify,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  get loggedIn(): boolean {
    return this.cookie !== null;
  }

  async serviceContent(signal: AbortSignal): Promise<ServiceContent> {
    if (this.content) return this.content;
    const body = await this.post(
      `<RetrieveServiceContent xmlns="urn:vim25">${moRefXml('_this', SERVICE_INSTANCE)}</RetrieveServiceContent>`,
      signal,
    );
    const rv = child(child(body, 'RetrieveServiceContentResponse'), 'returnval');
    const ref = (name: string): MoRef => {
      const r = moRef(child(rv, name));
      if (!r) throw new Error(`RetrieveServiceContent: no ${name} in the answer`);
      return r;
    };
    const about = child(rv, 'about');
    this.content = {
      rootFolder: ref('rootFolder'),
      propertyCollector: ref('propertyCollector'),
      viewManager: ref('viewManager'),
      sessionManager: ref('sessionManager'),
      eventManager: moRef(child(rv, 'eventManager')),
      vStorageObjectManager: moRef(child(rv, 'vStorageObjectManager')),
      customFieldsManager: moRef(child(rv, 'customFieldsManager')),
      apiType: text(child(about, 'apiType')),
      apiVersion: text(child(about, 'apiVersion')),
    };
    return this.content;
  }

  /**
   * Invokes `method` on `thisRef` with the inner XML of its arguments and returns the
   * `<method>Response` element. Logs in first, and once more if the session expired.
   */
  async call(method: string, thisRef: MoRef, args: string, signal: AbortSignal): Promise<XmlNode | undefined> {
    await this.ensureLogin(signal);
    const request = `<${method} xmlns="urn:vim25">${moRefXml('_this', thisRef)}${args}</${method}>`;
    try {
      return child(await this.post(request, signal), `${method}Response`);
    } catch (e: unknown) {
      if (!isVsphereFaultError(e) || e.fault !== 'NotAuthenticated') throw e;
      this.cookie = null;
      await this.ensureLogin(signal);
      return child(await this.post(request, signal), `${method}Response`);
    }
  }

  private async ensureLogin(signal: AbortSignal): Promise<void> {
    if (this.cookie) return;
    this.loggingIn ??= this.login(signal).finally(() => {
      this.loggingIn = null;
    });
    await this.loggingIn;
  }

  private async login(signal: AbortSignal): Promise<void> {
    const sc = await this.serviceContent(signal);
    const args =
      `<userName>${escapeXml(this.opts.username)}</userName>` + `<password>${escapeXml(this.opts.password)}</password>`;
    await this.post(`<Login xmlns="urn:vim25">${moRefXml('_this', sc.sessionManager)}${args}</Login>`, signal, true);
    if (!this.cookie) throw new Error('Login answered without a vmware_soap_session cookie');
  }

  /** Ends the session (best effort, bounded to 2 s) and closes kept connections. */
  async close(): Promise<void> {
    if (this.cookie && this.content) {
      try {
        await this.post(
          `<Logout xmlns="urn:vim25">${moRefXml('_this', this.content.sessionManager)}</Logout>`,
          AbortSignal.timeout(2000),
        );
      } catch {
        // The server may be gone already; nothing else to give back.
      }
    }
    this.cookie = null;
    this.agent.destroy();
  }

  private async post(body: string, signal: AbortSignal, takeCookie = false): Promise<{ [key: string]: XmlValue }> {
    const payload = Buffer.from(envelope(body), 'utf8');
    try {
      return await this.postOnce(payload, signal, takeCookie);
    } catch (e: unknown) {
      // A kept-alive connection the server closed while idle: the request never reached it; send
      // it once more on a new connection (the pattern the node:http docs give for reusedSocket).
      if (!(e instanceof StaleSocketError)) throw e;
      return this.postOnce(payload, signal, takeCookie);
    }
  }

  private postOnce(payload: Buffer, signal: AbortSignal, takeCookie: boolean): Promise<{ [key: string]: XmlValue }> {
    const version = this.content?.apiVersion || '6.5';
    const mod = this.endpoint.protocol === 'https:' ? https : http;
    const max = this.opts.maxResponseBytes ?? DEFAULT_MAX_BYTES;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = mod.request(
        this.endpoint,
        {
          method: 'POST',
          agent: this.agent,
          signal,
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            'content-length': payload.length,
            soapaction: `urn:vim25/${version}`,
            ...(this.cookie ? { cookie: `vmware_soap_session=${this.cookie}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(new Error(`response larger than ${max} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            if (!res.complete) {
              reject(new Error('connection closed before the response was complete'));
              return;
            }
            const textBody = Buffer.concat(chunks).toString('utf8');
            if (takeCookie) {
              const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
              const m = set.map((c) => /vmware_soap_session=("[^"]*"|[^;]*)/.exec(c)).find((x) => x);
              if (m) this.cookie = m[1] as string;
            }
            try {
              const parsed = parseEnvelope(textBody);
              if (res.statusCode !== 200 && res.statusCode !== 500)
                reject(new Error(`HTTP ${res.statusCode} from ${this.endpoint.href}`));
              else resolve(parsed);
            } catch (e: unknown) {
              reject(
                res.statusCode && res.statusCode >= 400 && !isVsphereFaultError(e)
                  ? new Error(`HTTP ${res.statusCode} from ${this.endpoint.href}: ${textBody.slice(0, 200)}`)
                  : e,
              );
            }
          });
        },
      );
      req.on('error', (e: Error & { code?: string }) => {
        reject(
          req.reusedSocket && e.code === 'ECONNRESET' && !signal.aborted
            ? new StaleSocketError(e.message, { cause: e })
            : e,
        );
      });
      req.end(payload);
    });
  }
}
