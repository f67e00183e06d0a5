// Reads the HTTP status and a short message out of the client's errors: ApiException (typed
// calls: `code`, `body`), the watch's Error (`statusCode`), or node-fetch's FetchError (no status).

function prop(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null && name in e ? (e as Record<string, unknown>)[name] : undefined;
}

export function kubeStatusCode(e: unknown): number | null {
  const code = prop(e, 'code');
  if (typeof code === 'number') return code;
  const status = prop(e, 'statusCode');
  return typeof status === 'number' ? status : null;
}

export function describeKubeError(e: unknown): string {
  const status = kubeStatusCode(e);
  let body = prop(e, 'body');
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text body */
    }
  }
  const bodyMessage = prop(body, 'message');
  const message =
    typeof bodyMessage === 'string'
      ? bodyMessage
      : e instanceof Error
        ? (e.message.split('\n')[0] ?? e.message)
        : String(e);
  return status !== null ? `HTTP ${status}: ${message}` : message;
}
