import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Fault } from '../shared/faults.js';
import type { IssuerRuntime, OidcDeps } from './context.js';
import { decodeCompactJws, signCompactJws } from './jws.js';
import type { OidcSigningAlg, SigningKey } from './keys/signing-keys.js';

/**
 * What the lab does to oidc-provider's responses, after the library has answered: one koa
 * middleware runs every filter in turn (each extra async middleware layer costs measurably on
 * the token endpoint's hot path, `npm run bench`).
 */
export type ResponseFilter = (ctx: Context) => void;

export function afterResponse(...filters: ResponseFilter[]): Middleware {
  return async (ctx, next) => {
    await next();
    for (const f of filters) f(ctx);
  };
}

/** Unknown paths under an issuer answer like every other error there: OAuth-style JSON. */
export function jsonNotFound(): ResponseFilter {
  return (ctx) => {
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.type = 'json';
      ctx.body = { error: 'invalid_request', error_description: `no such endpoint: ${ctx.method} ${ctx.path}` };
    }
  };
}

const foreignKeys = new Map<OidcSigningAlg, KeyObject>();

/** A key of the same type as `alg` that no issuer publishes, made once per process. */
function foreignKey(alg: OidcSigningAlg): KeyObject {
  let k = foreignKeys.get(alg);
  if (!k) {
    k =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519').privateKey
          : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    foreignKeys.set(alg, k);
  }
  return k;
}

type OidcFault = Extract<Fault, { surface: 'oidc' }>;

function mergeClaims(payload: Record<string, unknown>, claims: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(claims)) {
    if (value === null) delete payload[name];
    else payload[name] = value;
  }
}

/**
 * Takes the first queued fault of `kinds` aimed at this issuer and client, but only when the
 * signed JWT it would bend was signed by one of the issuer's keys (so a fault is never consumed
 * without being applied).
 */
function takeFor(deps: OidcDeps, rt: IssuerRuntime, jwt: string, accepts: (f: OidcFault) => boolean) {
  const jws = decodeCompactJws(jwt);
  if (!jws) return undefined;
  const key = rt.keys.find((k) => k.kid === jws.header['kid']);
  if (!key) return undefined;
  const aud = jws.payload['aud'];
  const clientId = typeof aud === 'string' ? aud : Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : undefined;
  const fault = deps.faults.take('oidc', (f) => accepts(f) && (!f.issuer || f.issuer === rt.config.id) && (!f.clientId || f.clientId === clientId));
  return fault ? { fault, jws, key, clientId } : undefined;
}

function resign(jws: { header: Record<string, unknown>; payload: Record<string, unknown> }, key: SigningKey, signer: KeyObject = key.privateKey): string {
  return signCompactJws(jws.header, jws.payload, key.alg, signer);
}

/**
 * The token endpoint's ID-token faults (`expired-id-token`, `id-token-bad-signature`, and
 * `claims` aimed at the ID token): the response is produced normally, then its signed ID token is
 * re-issued bent and re-signed with the same key (or, for a bad signature, a foreign one). An
 * encrypted ID token (a JWE) cannot be re-signed without the client's key, so such a fault waits
 * for a client that gets signed ones. Front-channel ID tokens (implicit, hybrid) are not bent.
 */
export function idTokenFaults(deps: OidcDeps, rt: IssuerRuntime): ResponseFilter {
  return (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (!body || typeof body.id_token !== 'string') return;
    const hit = takeFor(
      deps,
      rt,
      body.id_token,
      (f) => f.kind === 'expired-id-token' || f.kind === 'id-token-bad-signature' || (f.kind === 'claims' && (f.target ?? 'id_token') === 'id_token'),
    );
    if (!hit) return;
    const { fault, jws, key, clientId } = hit;
    let signer = key.privateKey;
    if (fault.kind === 'expired-id-token') {
      const lifetime = Number(jws.payload['exp']) - Number(jws.payload['iat']);
      const now = Math.floor(Date.now() / 1000);
      // Past the library's and any client's usual clock tolerance (seconds to a few minutes).
      jws.payload['exp'] = now - 600;
      jws.payload['iat'] = now - 600 - (lifetime > 0 ? lifetime : 300);
    } else if (fault.kind === 'id-token-bad-signature') {
      signer = foreignKey(key.alg);
    } else {
      mergeClaims(jws.payload, fault.claims ?? {});
    }
    body.id_token = resign(jws, key, signer);
    ctx.body = body;
    deps.log.info({ svc: 'oidc', event: 'fault.applied', kind: fault.kind, issuer: rt.config.id, clientId }, 'ID token fault applied');
  };
}

/**
 * A `claims` fault aimed at userinfo: the next userinfo answer (JSON, or a signed JWT re-signed
 * with the same key) gets the claims merged in. An encrypted answer is left alone.
 */
export function userinfoClaimsFault(deps: OidcDeps, rt: IssuerRuntime): ResponseFilter {
  return (ctx) => {
    if (ctx.path !== '/me' || ctx.status !== 200 || ctx.body === undefined) return;
    const accepts = (f: OidcFault) => f.kind === 'claims' && f.target === 'userinfo';
    if (typeof ctx.body === 'string') {
      const hit = takeFor(deps, rt, ctx.body, accepts);
      if (!hit) return;
      mergeClaims(hit.jws.payload, hit.fault.claims ?? {});
      ctx.body = resign(hit.jws, hit.key);
      ctx.type = 'application/jwt; charset=utf-8';
    } else if (typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)) {
      const clientId = ctx.oidc?.client?.clientId;
      const fault = deps.faults.take(
        'oidc',
        (f) => accepts(f) && (!f.issuer || f.issuer === rt.config.id) && (!f.clientId || f.clientId === clientId),
      );
      if (!fault) return;
      const body = { ...(ctx.body as Record<string, unknown>) };
      mergeClaims(body, fault.claims ?? {});
      ctx.body = body;
    } else {
      return;
    }
    deps.log.info({ svc: 'oidc', event: 'fault.applied', kind: 'claims', target: 'userinfo', issuer: rt.config.id }, 'userinfo claims fault applied');
  };
}
