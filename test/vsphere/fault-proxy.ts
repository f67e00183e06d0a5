// Test helper: an HTTP proxy in front of the simulator that can answer chosen SOAP methods itself
// (a fault envelope, a truncated body, a NoPermission fault), never answer ('hang'), or run a step
// before forwarding (ending the session mid-collection) to drive the client's error paths.
import http from 'node:http';
import { freePort } from './simulator.js';

export type Override = (method: string, body: string) => { status: number; body: string } | 'hang' | null;

export interface FaultProxy {
  url: string;
  port: number;
  override: Override;
  /** Awaited before a request is forwarded. */
  beforeForward: (method: string) => Promise<void>;
  calls: string[];
  /** Requests accepted and never answered that are still open (the client has not given up on them). */
  hanging(): number;
  close(): Promise<void>;
}

export function soapFault(faultXml: string, faultString: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ' +
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${faultString}</faultstring>
    <detail>${faultXml}</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const port = await freePort();
  const hung = new Set<http.ServerResponse>();
  const proxy: FaultProxy = {
    url: '',
    port,
    override: () => null,
    beforeForward: async () => {},
    calls: [],
    hanging: () => hung.size,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)/.exec(body.toString())?.[1] ?? '?';
      proxy.calls.push(method);
      const o = proxy.override(method, body.toString());
      if (o === 'hang') {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (o) {
        res.writeHead(o.status, {
          'content-type': 'text/xml; charset=utf-8',
          'content-length': Buffer.byteLength(o.body),
        });
        res.end(o.body);
        return;
      }
      void proxy.beforeForward(method).then(() => forward(body, req, res));
    });
  });
  const forward = (body: Buffer, req: http.IncomingMessage, res: http.ServerResponse) => {
    const up = http.request(
      { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => {
      res.destroy();
    });
    up.end(body);
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  proxy.url = `http://${t.username}:${t.password}@127.0.0.1:${port}/sdk`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
