import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { CxoneContext } from '../context.js';

/**
 * CXone's JWTs (reference B.3: access, ID and refresh tokens are all JWTs signed RS256). The
 * header names the key (`kid`) that `/auth/jwks` publishes; every time is the lab clock's.
 */
export async function signJwt(ctx: CxoneContext, claims: JWTPayload, lifetimeSeconds: number): Promise<{ jwt: string; iat: number; exp: number }> {
  const iat = Math.floor(ctx.clock.now() / 1000);
  const exp = iat + lifetimeSeconds;
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: ctx.op.signing.kid })
    .setIssuer(ctx.urls.base)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(ctx.op.signing.privateKey);
  return { jwt, iat, exp };
}

const publicKeys = new WeakMap<KeyObject, KeyObject>();

function verificationKey(ctx: CxoneContext): KeyObject {
  const priv = ctx.op.signing.privateKey;
  let pub = publicKeys.get(priv);
  if (!pub) publicKeys.set(priv, (pub = createPublicKey(priv)));
  return pub;
}

/**
 * A JWT CXone issued and that is still valid now (RFC 7519 §7.2: signature by CXone's key, RS256
 * only, `iss` CXone's, `exp` not passed on the lab clock). Throws jose's errors; callers turn them
 * into their surface's refusal.
 */
export async function verifyOwnJwt(ctx: CxoneContext, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, verificationKey(ctx), {
    algorithms: ['RS256'],
    issuer: ctx.urls.base,
    currentDate: new Date(ctx.clock.now()),
  });
  return payload;
}

/**
 * A JWT CXone signed, expired or not: RP-Initiated Logout 1.0 §2 says the OP SHOULD accept an
 * `id_token_hint` whose `exp` has passed (the RP had a recent session), so only the signature and
 * the issuer are checked. Undefined when it is not ours.
 */
export async function readOwnJwtIgnoringExpiry(ctx: CxoneContext, token: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await compactVerify(token, verificationKey(ctx), { algorithms: ['RS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    if ((claims as JWTPayload).iss !== ctx.urls.base) return undefined;
    return claims as JWTPayload;
  } catch {
    return undefined;
  }
}
