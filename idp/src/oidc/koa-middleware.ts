import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Middleware } from 'koa';
import type { IssuerRuntime, OidcDeps } from './context.js';
import { decodeCompactJws, signCompactJws } from './jws.js';
import type { OidcSigningAlg } from './keys/signing-keys.js';

/** Unknown paths under an issuer answer like every other error there: OAuth-style JSON. */
export function jsonNotFound(): Middleware {
  return async (ctx, next) => {
    await next();
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

/**
 * The ID-token faults (`expired-id-token`, `id-token-bad-signature`): the token endpoint's
 * response is produced normally, then its signed ID token is re-issued bent. An encrypted ID
 * token (a JWE) cannot be re-signed without the client's key, so such a fault waits for a
 * client that gets signed ones.
 */
export function idTokenFaults(deps: OidcDeps, rt: IssuerRuntime): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (!body || typeof body.id_token !== 'string') return;
    const jws = decodeCompactJws(body.id_token);
    if (!jws) return;
    const clientId = typeof jws.payload['aud'] === 'string' ? jws.payload['aud'] : undefined;
    const fault = deps.faults.take(
      'oidc',
      (f) =>
        (f.kind === 'expired-id-token' || f.kind === 'id-token-bad-signature') &&
        (!f.issuer || f.issuer === rt.config.id) &&
        (!f.clientId || f.clientId === clientId),
    );
    if (!fault) return;
    const key = rt.keys.find((k) => k.kid === jws.header['kid']);
    if (!key) return;
    const payload = { ...jws.payload };
    let signer = key.privateKey;
    if (fault.kind === 'expired-id-token') {
      const lifetime = Number(payload['exp']) - Number(payload['iat']);
      const now = Math.floor(Date.now() / 1000);
      // Past the library's and any client's usual clock tolerance (seconds to a few minutes).
      payload['exp'] = now - 600;
      payload['iat'] = now - 600 - (lifetime > 0 ? lifetime : 300);
    } else {
      signer = foreignKey(key.alg);
    }
    body.id_token = signCompactJws(jws.header, payload, key.alg, signer);
    ctx.body = body;
    deps.log.info({ svc: 'oidc', event: 'fault.applied', kind: fault.kind, issuer: rt.config.id, clientId }, 'ID token fault applied');
  };
}
