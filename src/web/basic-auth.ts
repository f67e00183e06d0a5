// HTTP basic auth against bcrypt hashes (exporter-toolkit basic_auth_users): an unknown user costs the
// same bcrypt comparison as a known one, so response time does not tell which user names exist.
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import bcrypt from 'bcryptjs';
import { bcryptCost } from './web-config.js';

export type Compare = (password: string, hash: string) => Promise<boolean>;

/** Probes that reveal nothing stay open so kubelet and the image's HEALTHCHECK need no password. */
export const UNAUTHENTICATED_PATHS: ReadonlySet<string> = new Set(['/-/healthy', '/-/ready']);

export class BasicAuth {
  /** Successful checks only, keyed by a hash of user, password and bcrypt hash: a scrape every 15 s
   * must not pay bcrypt each time, and a failure is never made faster than the first one. */
  private readonly ok = new Set<string>();
  private dummy = '';

  constructor(
    private users: Map<string, string>,
    private readonly compare: Compare = bcrypt.compare,
  ) {
    this.dummy = BasicAuth.dummyHash(users);
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  setUsers(users: Map<string, string>): void {
    this.users = users;
    this.dummy = BasicAuth.dummyHash(users);
    this.ok.clear();
  }

  /** A hash of a random password at the highest cost in use, compared when the user is unknown. */
  private static dummyHash(users: Map<string, string>): string {
    if (users.size === 0) return '';
    const cost = Math.max(10, ...[...users.values()].map(bcryptCost));
    return bcrypt.hashSync(randomBytes(16).toString('hex'), cost);
  }

  /** True when the Authorization header names a configured user with the right password. */
  async check(authorization: string | undefined): Promise<boolean> {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    const decoded = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : '';
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    const known = this.users.get(user);
    const hash = known ?? this.dummy;
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    if (known !== undefined && this.ok.has(key)) return true;
    const match = await this.compare(password, hash);
    if (known === undefined || !match || colon < 0) return false;
    if (this.ok.size >= 1000) this.ok.clear();
    this.ok.add(key);
    return true;
  }

  /** Wraps a request listener: 401 with a Basic challenge unless the request carries valid credentials. */
  wrap(listener: http.RequestListener): http.RequestListener {
    return (req, res) => {
      const pathname = (req.url ?? '/').split('?')[0] ?? '/';
      if (!this.enabled || UNAUTHENTICATED_PATHS.has(pathname)) {
        listener(req, res);
        return;
      }
      this.check(req.headers.authorization).then(
        (ok) => {
          if (ok) {
            listener(req, res);
            return;
          }
          res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="vmzombie-exporter"' });
          res.end('Unauthorized\n');
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        },
      );
    };
  }
}
