import type { Context } from 'koa';
import type { IssuerRuntime, OidcDeps } from './context.js';
import type { ResponseFilter } from './koa-middleware.js';

/** A compact JWS (three parts) or JWE (five parts). */
const COMPACT_JWT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2}(\.[A-Za-z0-9_-]*){0,2}$/;

/** Entities of the request that name the signed-in account (oidc-provider sets them per endpoint). */
const ACCOUNT_ENTITIES = ['Account', 'AuthorizationCode', 'RefreshToken', 'AccessToken'] as const;

function accountOf(ctx: Context): string | undefined {
  const entities = (ctx.oidc?.entities ?? {}) as Record<string, { accountId?: unknown } | undefined>;
  for (const name of ACCOUNT_ENTITIES) {
    const id = entities[name]?.accountId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

function jwtsIn(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.length < 65_536 && COMPACT_JWT.test(v));
}

/**
 * For the console's exchange list: what the token endpoint and userinfo answered, after the
 * lab's own filters (so an ID token bent by a fault is recorded as sent). The tokens are the
 * strings oidc-provider produced; only a path comparison runs for every other request.
 */
export function recordTokenExchanges(deps: OidcDeps, rt: IssuerRuntime): ResponseFilter {
  return (ctx) => {
    if (ctx.path !== '/token' && ctx.path !== '/me') return;
    const body = ctx.body as unknown;
    const issuer = rt.config.id;
    const user = accountOf(ctx);
    const clientId = ctx.oidc?.client?.clientId;
    if (ctx.path === '/token') {
      const json = body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : {};
      const grant = typeof ctx.oidc?.params?.['grant_type'] === 'string' ? ctx.oidc.params['grant_type'] : 'unknown grant';
      const error = typeof json['error'] === 'string' ? json['error'] : undefined;
      const issued = ['id_token', 'access_token', 'refresh_token'].filter((k) => typeof json[k] === 'string');
      deps.exchanges.record({
        service: 'oidc',
        kind: 'oidc',
        direction: 'out',
        summary: error
          ? `Token request refused (${grant}, ${clientId ?? 'unknown client'}): ${error}`
          : `Tokens for ${clientId ?? 'a client'} (${grant}, issuer ${issuer}): ${issued.join(', ')}`,
        method: ctx.method,
        path: rt.prefix + ctx.path,
        status: ctx.status,
        user,
        code: error,
        payload: {
          jwt: jwtsIn([json['id_token'], json['access_token'], json['refresh_token']]),
          http: { responseBody: JSON.stringify(json, null, 2) },
          signature: { status: 'not-checked', detail: `signed by issuer ${issuer}; the console does not re-verify JWT signatures` },
        },
      });
      return;
    }
    const text = typeof body === 'string' ? body : body !== undefined && !Buffer.isBuffer(body) ? JSON.stringify(body, null, 2) : '';
    deps.exchanges.record({
      service: 'oidc',
      kind: 'oidc',
      direction: 'out',
      summary: `Userinfo for ${clientId ?? 'a client'} (issuer ${issuer})${ctx.status >= 400 ? `: ${ctx.status}` : ''}`,
      method: ctx.method,
      path: rt.prefix + ctx.path,
      status: ctx.status,
      user,
      payload: { jwt: jwtsIn([body]), http: { responseBody: text } },
    });
  };
}
