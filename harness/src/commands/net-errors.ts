/** Socket errors that mean nothing answers at that address. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
/** TLS errors of a certificate that does not chain to a trusted CA (the lab CA not given). */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/**
 * The socket or TLS error code of a failed request: node:http puts it on the error, fetch on its
 * cause, and a library (openid-client) on the cause of its own error. Undefined for anything else.
 */
export function networkCode(e: unknown): string | undefined {
  let cur = e as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    if (typeof cur.code === 'string' && (UNREACHABLE.has(cur.code) || UNTRUSTED.has(cur.code))) return cur.code;
    cur = cur.cause as typeof cur;
  }
  return undefined;
}

/**
 * A failed request turned into one line that says what to do: start the lab, or trust its CA.
 * Anything else is returned as it was.
 */
export function explainNetworkError(e: unknown, what: string, url: string, remedy = "start the lab with 'idp-harness up' (or 'npm start'), or pass --lab <console URL>"): unknown {
  const code = networkCode(e);
  if (code && UNREACHABLE.has(code)) return new Error(`cannot reach ${what} at ${url} (${code}): ${remedy}`);
  if (code && UNTRUSTED.has(code)) return new Error(`${what}'s TLS certificate at ${url} is not trusted (${code}): pass --ca <the lab's certs/ca.pem>`);
  // fetch's own "fetch failed" says nothing: name the request and its cause.
  const cause = (e as { cause?: Error } | undefined)?.cause;
  if (e instanceof TypeError && e.message === 'fetch failed' && cause instanceof Error) return new Error(`${what} at ${url}: ${cause.message}`);
  return e;
}
