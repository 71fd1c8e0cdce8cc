import { acsSignature, postedXml, type AcsNote } from '../shared/acs-exchange.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { IdsContext } from './context.js';
import type { IssuedTokens } from './tokens/token-service.js';

/**
 * What Cisco IdS tells the console's exchange list: the SAML responses its ACS received (with the
 * validation outcome) and the token pairs it issued.
 */

export function recordAcs(ctx: IdsContext, form: Record<string, unknown>, note: AcsNote, outcome: { code?: string; status?: number; user?: string }): void {
  const xml = postedXml(form);
  ctx.exchanges.record({
    service: 'ids',
    kind: 'saml',
    direction: 'in',
    summary: outcome.code ? `SAML response refused at the IdS ACS: ${outcome.code}` : `SAML response accepted at the IdS ACS for ${outcome.user}`,
    method: 'POST',
    path: '/ids/saml/response',
    status: outcome.status ?? 200,
    user: outcome.user,
    code: outcome.code,
    payload: { ...(xml === undefined ? {} : { samlXml: xml }), signature: acsSignature(note, outcome.code, "the trusted IdP's signing certificate") },
  });
}

/** A token pair (code redemption, at the endpoint or by Finesse in-process, or a refresh). */
export function recordTokensIssued(log: ExchangeLog, t: IssuedTokens, how: 'code' | 'refresh'): void {
  const jws = t.accessToken.includes('.');
  const tokens = [t.accessToken, ...(t.refreshToken === undefined ? [] : [t.refreshToken])];
  log.record({
    service: 'ids',
    kind: 'ids',
    direction: 'out',
    summary: `IdS tokens for ${t.access.userId} to client ${t.access.clientId} (${how === 'code' ? 'code redeemed' : 'refresh'}${jws ? '' : ', opaque: Encrypt Token on'})`,
    user: t.access.userId,
    payload: {
      ...(jws ? { jwt: tokens } : {}),
      http: {
        responseBody: JSON.stringify(
          { access_token: t.accessToken, expires_in: t.expiresIn, ...(t.refreshToken === undefined ? {} : { refresh_token: t.refreshToken, refresh_token_expires_in: t.refreshExpiresIn }) },
          null,
          2,
        ),
      },
      signature: jws
        ? { status: 'not-checked', detail: 'signed by the IdS token key (RS256); the console does not re-verify JWT signatures' }
        : { status: 'not-checked', detail: 'opaque token: AES-256-GCM under the IdS encryption key' },
    },
  });
}
