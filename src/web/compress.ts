// Response compression as the Go exporters do it (promhttp): gzip when the client's Accept-Encoding
// allows it, identity otherwise. Prometheus asks for gzip on every scrape; a 10 000-VM cluster's
// /metrics is ~2 MB of text that gzip brings to a few percent of that. Compressed off the event loop
// (the zlib thread pool), at speed level 1: most of the size gain for a fraction of default's CPU.
import type { Request, Response } from 'express';
import { EncodedBody } from '../outputs/encoded-body.js';

/** Below this a compressed body is not smaller by enough to pay for the work. */
const MIN_BYTES = 1024;

/**
 * Whether an Accept-Encoding header allows gzip: `gzip` (or `x-gzip`, or `*`) with a non-zero q.
 * An explicit `gzip;q=0` refuses it even when `*` is listed.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star = false;
  for (const part of value.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    const allowed = q ? Number(q[1]) > 0 : true;
    const coding = name.trim();
    if (coding === 'gzip' || coding === 'x-gzip') return allowed;
    if (coding === '*') star = allowed;
  }
  return star;
}

/**
 * Sends `body` with `type`, gzip-compressed when the request allows it. An EncodedBody shared by several
 * responses (the metrics of one result) is encoded and compressed once for all of them.
 */
export async function sendCompressible(
  req: Request,
  res: Response,
  type: string,
  body: string | EncodedBody,
): Promise<void> {
  res.type(type);
  res.vary('Accept-Encoding');
  const encoded = typeof body === 'string' ? new EncodedBody(body) : body;
  if (encoded.bytes.length < MIN_BYTES || !acceptsGzip(req.headers['accept-encoding'])) {
    res.send(encoded.bytes);
    return;
  }
  const compressed = await encoded.gzipped();
  res.set('Content-Encoding', 'gzip').send(compressed);
}
