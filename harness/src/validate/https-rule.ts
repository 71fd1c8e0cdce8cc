import type { Level } from './report.js';

/** Host names and addresses that never leave the machine (RFC 6761 §6.3, RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::1';
}

/**
 * The transport verdict of an endpoint URL. HTTPS passes. Plain HTTP fails: SAML messages and
 * OAuth codes and tokens would cross the network readable (saml-bindings §3.4.5.2 / §3.5.5.2
 * recommend SSL 3.0 / TLS 1.0; OAuth 2.0 RFC 6749 §3.1, §3.2 require TLS at the authorization
 * and token endpoints; OIDC Discovery §3 requires https for the issuer and its endpoints) —
 * except on a loopback host, where it is a warning: that is a local lab (`npm start --
 * --plain-http`), never a partner IdP. Anything else (not a URL, another scheme) fails.
 */
export function transportVerdict(url: string): { level: Level; why: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { level: 'fail', why: `'${url}' is not an absolute URL` };
  }
  if (u.protocol === 'https:') return { level: 'pass', why: 'HTTPS' };
  if (u.protocol !== 'http:') return { level: 'fail', why: `the ${u.protocol.slice(0, -1)} scheme is not HTTP(S)` };
  if (isLoopbackHost(u.hostname)) return { level: 'warn', why: 'plain HTTP on a loopback host: acceptable for a local lab only, never for a partner IdP' };
  return { level: 'fail', why: 'plain HTTP: messages, codes and tokens would cross the network unencrypted; serve it over HTTPS' };
}
