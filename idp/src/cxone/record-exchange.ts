import { acsSignature, postedXml, type AcsNote } from '../shared/acs-exchange.js';
import { IdpError } from '../shared/errors.js';
import type { CxoneContext } from './context.js';
import type { Authenticator } from './model.js';

/**
 * What CXone tells the console's exchange list: SAML responses its authenticators' ACS received,
 * ID tokens its OIDC authenticators received (each with the outcome), and the tokens it issued as
 * an OpenID provider.
 */

function outcomeOf(e: unknown): { code: string; status: number } {
  return e instanceof IdpError ? { code: e.code, status: e.status } : { code: 'ERR_INTERNAL', status: 500 };
}

export function recordSamlAcs(ctx: CxoneContext, form: Record<string, unknown>, note: AcsNote, a: Authenticator | undefined, result: { user: string } | { error: unknown }): void {
  const xml = postedXml(form);
  const failed = 'error' in result ? outcomeOf(result.error) : undefined;
  const name = a ? `'${a.name}'` : 'an unknown authenticator';
  ctx.exchanges.record({
    service: 'cxone',
    kind: 'saml',
    direction: 'in',
    summary: failed ? `SAML response refused at ${name}: ${failed.code}` : `SAML response accepted at ${name} for ${'user' in result ? result.user : ''}`,
    method: 'POST',
    path: '/auth/authorize',
    status: failed?.status ?? 200,
    user: 'user' in result ? result.user : undefined,
    code: failed?.code,
    payload: { ...(xml === undefined ? {} : { samlXml: xml }), signature: acsSignature(note, failed?.code, "the authenticator's uploaded certificate") },
  });
}

/** Codes thrown before the signature of an ID token was verified (openJwt's own refusals). */
const BEFORE_SIGNATURE = new Set(['ERR_CXONE_OIDC_DECRYPT', 'ERR_CXONE_OIDC_ID_TOKEN']);

export function recordIdToken(ctx: CxoneContext, a: Authenticator, raw: string, result: { sub: string; jws: string } | { error: unknown }): void {
  const failed = 'error' in result ? outcomeOf(result.error) : undefined;
  const signature = !failed
    ? { status: 'valid' as const, detail: `verified with the IdP's JWKS (${a.oidc?.jwksUri ?? ''})` }
    : failed.code === 'ERR_CXONE_OIDC_SIGNATURE'
      ? { status: 'invalid' as const, detail: failed.code }
      : BEFORE_SIGNATURE.has(failed.code)
        ? { status: 'not-checked' as const, detail: `refused before the signature was checked (${failed.code})` }
        : { status: 'valid' as const, detail: `verified with the IdP's JWKS; a claim check failed (${failed.code})` };
  ctx.exchanges.record({
    service: 'cxone',
    kind: 'jwt',
    direction: 'in',
    summary: failed ? `ID token refused at '${a.name}': ${failed.code}` : `ID token accepted at '${a.name}' for ${'sub' in result ? result.sub : ''}`,
    user: 'sub' in result ? result.sub : undefined,
    code: failed?.code,
    payload: { jwt: 'jws' in result && result.jws !== raw ? [raw, result.jws] : [raw], signature },
  });
}

export function recordOpTokens(ctx: CxoneContext, o: { clientId: string; user: string; jwts: string[] }): void {
  ctx.exchanges.record({
    service: 'cxone',
    kind: 'jwt',
    direction: 'out',
    summary: `CXone tokens for ${o.clientId}: access, refresh and ID token`,
    user: o.user,
    payload: { jwt: o.jwts, signature: { status: 'not-checked', detail: "signed by the CXone OP key (RS256); the console does not re-verify JWT signatures" } },
  });
}
