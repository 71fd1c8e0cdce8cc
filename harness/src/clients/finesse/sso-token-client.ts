/**
 * A reference Finesse SSO client for third-party desktops, written to be copied. It acquires a
 * token the way Cisco's note describes it (TAC 215626; reference A.1.5), without a browser:
 *
 *   GET  finesse/desktop/sso/token?cc_username=<agent>&return_refresh_token=true
 *   302  → IdS /ids/v1/oauth/authorize             (follow redirects, keep cookies)
 *   200  → auto-POST AuthnRequest to the IdP         (submit auto-post forms)
 *   200  → AD FS sign-in form                        (fill UserName / Password, keep AuthMethod)
 *   200  → auto-POST SAMLResponse to IdS ACS         (submit)
 *   200  → auto-POST uniqueId to /ids/relay          (submit)
 *   302  → finesse/desktop/sso/authcode?code&state   (follow)
 *   200  → JSON { token, refresh_token, expires_in, user_id, realm, user_principal }
 *
 * and refreshes after 75% of `expires_in` has elapsed ("Third-party apps must refresh after 75%
 * of the token lifetime", Dev Guide 12.5(1) p.193), measured on a clock you pass in — the lab's
 * clock in tests, so that expiry is driven by moving time instead of sleeping. An expired refresh
 * token means signing in again, which `token()` does by itself.
 */
import { readForm, UserAgent, type UaResponse } from '../user-agent.js';

export interface FinesseSsoToken {
  token: string;
  refreshToken: string | undefined;
  /** Seconds, as Finesse reports it. */
  expiresIn: number;
  userId: string | undefined;
  realm: string | undefined;
  userPrincipal: string | undefined;
  /** When the token was obtained, on the client's clock (ms). */
  obtainedAt: number;
}

export interface FinesseSsoClientOptions {
  /** Finesse's base URL, e.g. https://finesse:8445. */
  finesseUrl: string;
  /** The agent's loginName or loginId (`cc_username`). */
  username: string;
  /** The password the IdP's sign-in form takes. */
  password: string;
  /**
   * The name typed into the IdP's sign-in form; default `username`. Set it when `cc_username` is
   * the loginId (peripheral id, reference A.1.2), which the IdP does not know as an account name.
   */
  signInName?: string;
  /** PEM of the CA the lab's TLS certificates chain to (certs/ca.pem). */
  ca?: string;
  /** Milliseconds since the epoch; default Date.now. Pass the lab clock to test refresh timing. */
  now?: () => number;
  /** Refresh with `POST /desktop/sso/token` (token + refresh-token) instead of the GET form. */
  refreshWith?: 'GET' | 'POST';
  /** Share a cookie jar (e.g. to reuse an IdP session); one is created otherwise. */
  userAgent?: UserAgent;
}

/** A failure of the SSO flow: the HTTP status and Finesse's error body, as received. */
export class FinesseSsoError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
    /** The lab's stable error code (`X-Idp-Harness-Error`), when the answer came from the lab. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FinesseSsoError';
  }
}

/** The most redirects and forms one acquisition may pass through: a loop is a failure, not a hang. */
const MAX_STEPS = 20;

export class FinesseSsoClient {
  readonly ua: UserAgent;
  private current: FinesseSsoToken | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: FinesseSsoClientOptions) {
    this.ua = opts.userAgent ?? new UserAgent(opts.ca === undefined ? {} : { ca: opts.ca });
    this.now = opts.now ?? Date.now;
  }

  /** A valid token: the current one, refreshed once 75% of its lifetime has passed, or a new sign-in. */
  async token(): Promise<string> {
    if (!this.current) return (await this.acquire()).token;
    if (this.refreshDue()) {
      try {
        return (await this.refresh()).token;
      } catch (e) {
        // Reference A.1.5: "If the refresh token has expired, the user must re-authenticate."
        if (e instanceof FinesseSsoError && e.status === 401) return (await this.acquire()).token;
        throw e;
      }
    }
    return this.current.token;
  }

  /** The token last obtained, if any. */
  get state(): FinesseSsoToken | undefined {
    return this.current;
  }

  /** Whether 75% of the current token's lifetime has elapsed. */
  refreshDue(): boolean {
    const t = this.current;
    return t !== undefined && this.now() >= t.obtainedAt + t.expiresIn * 750;
  }

  /** Runs the whole sign-in chain and returns the fresh token (with its refresh token). */
  async acquire(): Promise<FinesseSsoToken> {
    const start = new URL('/desktop/sso/token', this.opts.finesseUrl);
    start.searchParams.set('cc_username', this.opts.username);
    start.searchParams.set('return_refresh_token', 'true');
    let res = await this.ua.get(start.toString(), { accept: 'application/json, text/html' });
    for (let step = 0; step < MAX_STEPS; step++) {
      if (res.status >= 300 && res.status < 400 && res.location) {
        res = await this.ua.get(new URL(res.location, res.url).toString());
        continue;
      }
      if (isJson(res)) return (this.current = this.parse(res, undefined));
      if (res.status !== 200 || !/<form\b/i.test(res.body)) throw failure('the sign-in stopped', res);
      const form = readForm(res.body, res.url);
      if ('UserName' in form.fields && 'Password' in form.fields) {
        // The AD FS forms page: keep what it serves (AuthMethod=FormsAuthentication, Kmsi), add the credentials.
        res = await this.ua.post(form.action, { ...form.fields, UserName: this.opts.signInName ?? this.opts.username, Password: this.opts.password });
        if (res.status === 200 && /id="errorText"[^>]*>[^<]+</.test(res.body) && /name="Password"/.test(res.body)) {
          throw failure('the IdP refused the user name or password', res);
        }
      } else {
        // An auto-POST page (AuthnRequest to the IdP, SAMLResponse to IdS, uniqueId to /ids/relay).
        res = await this.ua.post(form.action, form.fields);
      }
    }
    throw failure(`no token after ${MAX_STEPS} steps`, res);
  }

  /** A new access token from the refresh token (GET with cc_username, or the documented POST form). */
  async refresh(): Promise<FinesseSsoToken> {
    const t = this.current;
    if (!t?.refreshToken) throw new Error('no refresh token: call acquire() first');
    const url = new URL('/desktop/sso/token', this.opts.finesseUrl);
    let res: UaResponse;
    if (this.opts.refreshWith === 'POST') {
      res = await this.ua.post(url.toString(), { token: t.token, 'refresh-token': t.refreshToken });
    } else {
      url.searchParams.set('cc_username', this.opts.username);
      url.searchParams.set('refresh-token', t.refreshToken);
      res = await this.ua.get(url.toString());
    }
    if (res.status !== 200 || !isJson(res)) throw failure('refresh refused', res);
    return (this.current = this.parse(res, t.refreshToken));
  }

  private parse(res: UaResponse, previousRefresh: string | undefined): FinesseSsoToken {
    if (res.status !== 200) throw failure('Finesse refused the token request', res);
    const j = JSON.parse(res.body) as Record<string, unknown>;
    if (typeof j['token'] !== 'string' || typeof j['expires_in'] !== 'number') throw failure('unexpected token JSON', res);
    return {
      token: j['token'],
      // A refresh answer carries no refresh_token (reference A.1.3): keep using the one we have.
      refreshToken: typeof j['refresh_token'] === 'string' ? j['refresh_token'] : previousRefresh,
      expiresIn: j['expires_in'],
      userId: typeof j['user_id'] === 'string' ? j['user_id'] : undefined,
      realm: typeof j['realm'] === 'string' ? j['realm'] : undefined,
      userPrincipal: typeof j['user_principal'] === 'string' ? j['user_principal'] : undefined,
      obtainedAt: this.now(),
    };
  }
}

function isJson(res: UaResponse): boolean {
  return /^application\/json/i.test(String(res.headers['content-type'] ?? ''));
}

function failure(what: string, res: UaResponse): FinesseSsoError {
  const code = res.headers['x-idp-harness-error'];
  return new FinesseSsoError(`${what} (HTTP ${res.status} at ${res.url}${code ? `, ${String(code)}` : ''})`, res.status, res.body, typeof code === 'string' ? code : undefined);
}
