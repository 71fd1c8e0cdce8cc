import type { DiscoveredEndpoints } from '../admin/authenticator-input.js';
import { httpCall, HttpClientError, jsonObject } from './http-client.js';

const WELL_KNOWN = '/.well-known/openid-configuration';
/** A discovery document is a few KB; Entra's, the largest common one, is under 10 KB. */
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;

/** A discovery failure, worded for the admin form's field error. */
export class DiscoveryError extends Error {}

/**
 * "Discover settings" (seed 002 OIDC step 3.6; legacy Central's `Discover Settings` button,
 * reference B.2.2): reads an OpenID Provider's configuration document and maps it to the
 * authenticator's endpoint fields.
 *
 * The URL may be the discovery document's or the issuer's [INF]: an issuer URL gets
 * `/.well-known/openid-configuration` appended (OIDC Discovery §4: "any terminating / MUST be
 * removed before appending"), because admins paste either.
 */
export async function discoverOidcSettings(url: string, ca: string[]): Promise<DiscoveredEndpoints> {
  const documentUrl = discoveryDocumentUrl(url);
  let res;
  try {
    res = await httpCall(documentUrl, { ca, timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES });
  } catch (e) {
    throw new DiscoveryError(e instanceof HttpClientError ? `Discovery failed: ${e.message}.` : `Discovery failed: ${(e as Error).message}`);
  }
  if (res.status !== 200) throw new DiscoveryError(`Discovery failed: ${documentUrl} answered HTTP ${res.status} (expected 200 with the provider's configuration).`);
  const doc = jsonObject(res);
  if (!doc) throw new DiscoveryError(`Discovery failed: ${documentUrl} did not return a JSON object (is it an OpenID Provider's discovery URL?).`);

  // OIDC Discovery §3: issuer, authorization_endpoint, jwks_uri are REQUIRED; token_endpoint is
  // REQUIRED unless only the implicit flow is used, which CXone (code flow) never does.
  const missing = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter((k) => typeof doc[k] !== 'string' || doc[k] === '');
  if (missing.length > 0) throw new DiscoveryError(`Discovery failed: the configuration has no ${missing.join(', ')}.`);
  const issuer = doc['issuer'] as string;
  // OIDC Discovery §4.3: "The issuer value returned MUST be identical to the Issuer URL that was
  // used as the prefix to /.well-known/openid-configuration to retrieve the configuration
  // information." Otherwise anyone serving a document could claim another provider's issuer.
  const prefix = documentUrl.slice(0, -WELL_KNOWN.length);
  if (issuer.replace(/\/$/, '') !== prefix) {
    throw new DiscoveryError(`Discovery failed: the configuration's issuer '${issuer}' is not the URL it was read from ('${prefix}'); OpenID Connect Discovery §4.3 requires them to be identical.`);
  }
  const endpoint = (k: string, required: boolean): string | undefined => {
    const v = doc[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !/^https?:$/.test(safeProtocol(v))) {
      if (required) throw new DiscoveryError(`Discovery failed: ${k} '${String(v)}' is not an http(s) URL.`);
      return undefined;
    }
    return v;
  };
  return {
    issuer,
    jwksUri: endpoint('jwks_uri', true)!,
    authorizationEndpoint: endpoint('authorization_endpoint', true)!,
    tokenEndpoint: endpoint('token_endpoint', true)!,
    userinfoEndpoint: endpoint('userinfo_endpoint', false),
    revocationEndpoint: endpoint('revocation_endpoint', false),
    endSessionEndpoint: endpoint('end_session_endpoint', false),
  };
}

/** The discovery document's URL for what the admin typed (query and fragment dropped). */
export function discoveryDocumentUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DiscoveryError(`Discovery failed: '${url}' is not a URL.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new DiscoveryError('Discovery failed: the discovery URL must be http(s).');
  const path = u.pathname.replace(/\/+$/, '');
  const full = path.endsWith(WELL_KNOWN) ? path : `${path}${WELL_KNOWN}`;
  return `${u.origin}${full}`;
}

function safeProtocol(v: string): string {
  try {
    return new URL(v).protocol;
  } catch {
    return '';
  }
}
