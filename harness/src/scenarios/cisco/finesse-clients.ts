import { FinesseApiError, FinesseRestClient } from '../../clients/finesse/rest-client.js';
import { FinesseSsoClient, type FinesseSsoClientOptions } from '../../clients/finesse/sso-token-client.js';
import { UserAgent, type UaResponse } from '../../clients/user-agent.js';
import { expectThat, ScenarioFailure, type ScenarioContext } from '../scenario.js';

/**
 * The reference Finesse clients wired to the target lab (URL, CA), for the Cisco scenarios, and
 * readers for what the SSO token API and the REST API answer when they refuse.
 */

export function finesseUrl(ctx: ScenarioContext): string {
  const url = ctx.target.urls.finesse;
  expectThat(url, 'the finesse service is not running');
  return url;
}

/** The reference SSO client for a user; `now` is the lab clock when a scenario moves time. */
export function ssoClient(ctx: ScenarioContext, user: { username: string; password: string }, extra: Partial<FinesseSsoClientOptions> = {}): FinesseSsoClient {
  return new FinesseSsoClient({
    finesseUrl: finesseUrl(ctx),
    username: user.username,
    password: user.password,
    ...(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca }),
    ...extra,
  });
}

/** The reference REST client with a fixed `Authorization` header. */
export function restClient(ctx: ScenarioContext, authorization: string): FinesseRestClient {
  return new FinesseRestClient({
    finesseUrl: finesseUrl(ctx),
    authorization: async () => authorization,
    ...(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca }),
  });
}

/** A browser-like client for raw `/desktop/sso/token` requests (refresh by GET or POST form). */
export function tokenApi(ctx: ScenarioContext) {
  const ua = new UserAgent(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca });
  const url = (params: Record<string, string>) => {
    const u = new URL('/desktop/sso/token', finesseUrl(ctx));
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  };
  return {
    /** TAC 215626's refresh: `GET …/desktop/sso/token?cc_username&refresh-token`. */
    refreshByGet: (username: string, refreshToken: string) => ua.get(url({ cc_username: username, 'refresh-token': refreshToken })),
    /** The Dev Guide's refresh: `POST /desktop/sso/token` form `token` + `refresh-token`. */
    refreshByPost: (token: string, refreshToken: string) => ua.post(url({}), { token, 'refresh-token': refreshToken }),
  };
}

/** The new token of a successful refresh answer (200, JSON, `token`, no `refresh_token`). */
export function refreshedToken(res: UaResponse, how: string): string {
  if (res.status !== 200) throw new ScenarioFailure(`${how} refresh refused: HTTP ${res.status} ${String(res.headers['x-idp-harness-error'] ?? '')} ${res.body.slice(0, 200)}`);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expectThat(typeof body['token'] === 'string' && body['token'] !== '', `${how} refresh answered no token`);
  // Reference A.1.3: a refresh answers no refresh_token (the lab does not rotate them by default).
  expectThat(!('refresh_token' in body), `${how} refresh answered a refresh_token`);
  return body['token'];
}

/**
 * A refused `/desktop/sso/*` request (docs/cisco.md "SSO token API"): the status, the lab's code
 * (`X-Idp-Harness-Error`) and the `ApiErrors.ApiError.ErrorData` of the JSON body.
 */
export function ssoRefusal(res: UaResponse): { status: number; code: string; errorData: string } {
  let errorData = '';
  try {
    const body = JSON.parse(res.body) as { ApiErrors?: { ApiError?: { ErrorData?: unknown } } };
    errorData = String(body.ApiErrors?.ApiError?.ErrorData ?? '');
  } catch {
    // not JSON: errorData stays empty and the comparison below says what came instead
  }
  return { status: res.status, code: String(res.headers['x-idp-harness-error'] ?? ''), errorData };
}

/** Expects `refusal` to equal `want`, field by field, with a message that shows both. */
export function expectRefusal(what: string, got: { status: number; code: string | undefined; errorData: string }, want: { status: number; code: string; errorData?: string }): void {
  const same = got.status === want.status && got.code === want.code && (want.errorData === undefined || got.errorData === want.errorData);
  expectThat(same, `${what}: expected ${want.status} ${want.code}${want.errorData ? `/${want.errorData}` : ''}, got ${got.status} ${got.code ?? '(no code)'}/${got.errorData || '(no ErrorData)'}`);
}

/** The FinesseApiError a REST call must end with; a success fails the scenario. */
export async function restRefusal(what: string, call: Promise<unknown>): Promise<FinesseApiError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof FinesseApiError) return e;
    throw e;
  }
  throw new ScenarioFailure(`${what}: Finesse accepted it`);
}
