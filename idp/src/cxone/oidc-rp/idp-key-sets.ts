import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../../shared/clock.js';
import { IdpError } from '../../shared/errors.js';
import { httpCall, HttpClientError, jsonObject } from './http-client.js';

/** How long a fetched JWKS is used before it is read again (lab clock). */
const TTL_MS = 5 * 60_000;
const MAX_BYTES = 512 * 1024;
const MAX_ENTRIES = 200;

/**
 * The IdPs' published signing keys (`jwks_uri`, OIDC Core §10.1.1), cached briefly per URI so that
 * a sign-in does not always cost a round trip, and read again when a token names a `kid` the
 * cached set lacks: "the RP ... SHOULD re-retrieve the JWK Set when it encounters an unfamiliar
 * kid value" (OIDC Core §10.1.1 — how an IdP rotates keys without breaking its RPs).
 */
export class IdpKeySets {
  private readonly cache = new Map<string, { jwks: JSONWebKeySet; fetchedAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ca: string[],
  ) {}

  /** The key set at `uri`: the cached one when fresh, unless `refresh` asks for a new read. */
  async get(uri: string, refresh = false): Promise<JSONWebKeySet> {
    const hit = this.cache.get(uri);
    if (hit && !refresh && this.clock.now() - hit.fetchedAt < TTL_MS) return hit.jwks;
    const jwks = await fetchJwks(uri, this.ca);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(uri, { jwks, fetchedAt: this.clock.now() });
    return jwks;
  }

  clear(): void {
    this.cache.clear();
  }
}

async function fetchJwks(uri: string, ca: string[]): Promise<JSONWebKeySet> {
  const fail = (why: string) => new IdpError('ERR_CXONE_OIDC_SIGNATURE', `The IdP's signing keys could not be read: ${why}`, { debug: uri });
  let res;
  try {
    res = await httpCall(uri, { ca, maxBytes: MAX_BYTES });
  } catch (e) {
    throw fail(e instanceof HttpClientError ? e.message : String(e));
  }
  if (res.status !== 200) throw fail(`${uri} answered HTTP ${res.status}`);
  const doc = jsonObject(res);
  // RFC 7517 §5: a JWK Set is an object whose `keys` member is an array of JWKs.
  if (!doc || !Array.isArray(doc['keys'])) throw fail(`${uri} is not a JWK Set`);
  const keys = (doc['keys'] as unknown[]).filter((k): k is JSONWebKeySet['keys'][number] => k !== null && typeof k === 'object' && typeof (k as { kty?: unknown }).kty === 'string');
  return { keys };
}
