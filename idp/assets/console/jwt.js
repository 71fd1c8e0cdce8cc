// Decodes a compact JWT for reading: the header and the claims as JSON. The console does not
// re-verify signatures (that would need the issuer's keys in the page); the exchange's signature
// status says what the service that issued or received the token found.

function b64urlText(part) {
  let s = part.replace(/-/g, '+').replace(/_/g, '/');
  while (s.length % 4) s += '=';
  const bin = atob(s);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function json(part) {
  try {
    return JSON.parse(b64urlText(part));
  } catch {
    return undefined;
  }
}

/**
 * `{ header, claims }` of a JWS, `{ header, encrypted: true }` of a JWE (five parts: only the
 * header is readable), or `{ error }`.
 */
export function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3 && parts.length !== 5) return { error: 'not a compact JWT' };
  const header = json(parts[0]);
  if (header === undefined || header === null || typeof header !== 'object') return { error: 'the header is not base64url JSON' };
  if (parts.length === 5) return { header, encrypted: true };
  const claims = json(parts[1]);
  if (claims === undefined) return { header, error: 'the payload is not base64url JSON' };
  return { header, claims };
}

/** The time claims of a JWT as ISO instants, for reading next to the numbers. */
export function timeClaims(claims) {
  const out = [];
  for (const name of ['iat', 'nbf', 'auth_time', 'exp']) {
    const v = claims?.[name];
    if (typeof v === 'number' && Math.abs(v) < 8.64e12) out.push(`${name}: ${new Date(v * 1000).toISOString()}`);
  }
  return out;
}
