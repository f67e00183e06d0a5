// Test helper: an HTTP server that answers vSphere SOAP methods from recorded envelopes
// (test/fixtures/vsphere), for what the simulator cannot do: paging, an expired session.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../vsphere/simulator.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vsphere');
export const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

export interface Request {
  method: string;
  body: string;
  cookie: string | undefined;
}
export type Handler = (req: Request) => { body: string; status?: number; cookie?: string; hangUp?: boolean };

export function envelopeOf(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
  <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body>
  </soapenv:Envelope>`;
}

export async function startRecordedServer(
  handler: Handler,
): Promise<{ url: string; requests: Request[]; close(): Promise<void> }> {
  const requests: Request[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const method = /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? '?';
      const r: Request = { method, body, cookie: req.headers.cookie };
      requests.push(r);
      const out = handler(r);
      if (out.hangUp) {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status ?? 200, {
        'content-type': 'text/xml',
        ...(out.cookie ? { 'set-cookie': `vmware_soap_session="${out.cookie}"; Path=/; HttpOnly` } : {}),
      });
      res.end(out.body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://user:pass@127.0.0.1:${port}/sdk`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
