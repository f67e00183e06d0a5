// The container image's HEALTHCHECK: exit 0 when /-/healthy answers 200. VMZOMBIE_HEALTHCHECK_URL
// overrides the URL (with TLS or another listen address); the certificate is not checked, since this
// is the container asking itself.
const url = process.env.VMZOMBIE_HEALTHCHECK_URL || 'http://127.0.0.1:9955/-/healthy';
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
process.removeAllListeners('warning');
fetch(url, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
