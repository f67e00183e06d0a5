// Test helper: an HTTP server that answers vSphere SOAP methods from recorded envelopes
// (test/fixtures/vsphere), for what the simulator cannot do: paging, an expired session.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  // Port 0 on the server itself: a port probed free and bound later can be taken by a parallel file meanwhile.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
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
