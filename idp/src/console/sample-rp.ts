import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { parse as parseCookies, serialize } from 'cookie';
import type { Configuration } from 'openid-client';
import { h, layout } from '../adfs/pages/html.js';
import { defaultPublicUrl } from '../http/listen.js';
import type { LabState } from '../lab.js';
import { findClient } from '../oidc/clients/client-store.js';
import { IdpError } from '../shared/errors.js';
import { labFetch } from './lab-fetch.js';

/** fixtures/oidc/clients.json: the console's own client of the lab OP. */
export const SAMPLE_RP_CLIENT_ID = 'sample-console-rp';

/** How long a sign-in may take between the redirect to the OP and the callback (lab clock). */
const PENDING_TTL_MS = 10 * 60_000;
/** Bounded: a long run of abandoned sign-ins forgets the oldest first. */
const MAX_ENTRIES = 1000;

interface Pending {
  verifier: string;
  nonce: string;
  browser: string;
  expiresAt: number;
}

interface Session {
  claims: Record<string, unknown>;
  idToken: string;
  issuer: string;
}

/**
 * A built-in sample relying party beside the sample SP, to try an OpenID Connect sign-in by
 * hand: openid-client 6 (an independent implementation) runs the authorization code flow with
 * PKCE S256, state and nonce against the lab OP as the fixture client `sample-console-rp`
 * (client_secret_basic; its secret read from the lab's client list, so a fixture change applies),
 * redeems the code, validates the ID token and shows its claims. The OP may run in another
 * process (docker compose): its issuer comes from the configured public URL, and TLS is trusted
 * through the lab CA.
 */
export function sampleRp(state: LabState, consoleUrl: string): Router {
  const r = express.Router();
  const pending = new Map<string, Pending>();
  const sessions = new Map<string, Session>();
  const redirectUri = `${consoleUrl}/sample-rp/callback`;
  // openid-client is loaded on first use, as node-saml is for the sample SP: not needed to start.
  let configured: { key: string; config: Promise<Configuration> } | undefined;
  const page = (title: string, body: string) => layout(title, 'idp-harness sample RP', body);

  const client = () => {
    const c = findClient(state.oidcClients, SAMPLE_RP_CLIENT_ID);
    if (!c || typeof c.client_secret !== 'string') {
      throw new IdpError('ERR_SAMPLE_RP_NOT_CONFIGURED', `The OIDC client '${SAMPLE_RP_CLIENT_ID}' is not registered with a client secret (fixtures/oidc/clients.json).`, { status: 503 });
    }
    return { secret: c.client_secret, issuer: issuerUrl(state, c.issuer) };
  };
  const config = async (): Promise<{ lib: typeof import('openid-client'); config: Configuration }> => {
    const lib = await import('openid-client');
    const { secret, issuer } = client();
    const key = `${issuer}\n${secret}`;
    if (configured?.key !== key) {
      const options = issuer.startsWith('https:') ? { [lib.customFetch]: labFetch([state.pki.caPem]) } : { execute: [lib.allowInsecureRequests] };
      configured = { key, config: lib.discovery(new URL(issuer), SAMPLE_RP_CLIENT_ID, { client_secret: secret }, lib.ClientSecretBasic(secret), options) };
      configured.config.catch(() => (configured = undefined)); // a failed discovery is tried again next time
    }
    try {
      return { lib, config: await configured.config };
    } catch (e) {
      throw new IdpError('ERR_SAMPLE_RP_SIGN_IN', `The OpenID Provider at ${issuer} could not be discovered: ${(e as Error).message}`, { status: 502 });
    }
  };

  r.get('/', (req, res) => {
    const session = sessions.get(parseCookies(req.headers.cookie ?? '')['sample-rp'] ?? '');
    res.type('html').send(
      page(
        'Sample RP',
        `<p>This sample relying party (openid-client) signs in with the lab's OpenID Provider: code flow, PKCE S256, client <code>${h(SAMPLE_RP_CLIENT_ID)}</code>.</p>
<p><a id="rpLogin" href="login">Sign in with OpenID Connect</a></p>
${session ? `<p>Signed in as <b id="rpSubject">${h(String(session.claims['sub'] ?? ''))}</b>. <a id="rpLogout" href="logout">Sign out</a></p>` : ''}`,
      ),
    );
  });

  r.get('/login', async (req, res, next) => {
    try {
      const { lib, config: cfg } = await config();
      const browser = parseCookies(req.headers.cookie ?? '')['sample-rp-browser'] || randomBytes(16).toString('hex');
      const verifier = lib.randomPKCECodeVerifier();
      const nonce = lib.randomNonce();
      const stateParam = lib.randomState();
      remember(pending, stateParam, { verifier, nonce, browser, expiresAt: state.clock.now() + PENDING_TTL_MS });
      res.append('Set-Cookie', serialize('sample-rp-browser', browser, { path: '/sample-rp', httpOnly: true, sameSite: 'lax' }));
      const url = lib.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        code_challenge: await lib.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: stateParam,
        nonce,
      });
      res.redirect(302, url.toString());
    } catch (e) {
      next(e);
    }
  });

  r.get('/callback', async (req, res, next) => {
    try {
      const stateParam = typeof req.query['state'] === 'string' ? req.query['state'] : '';
      const p = pending.get(stateParam);
      const browser = parseCookies(req.headers.cookie ?? '')['sample-rp-browser'];
      if (!p || p.browser !== browser || state.clock.now() >= p.expiresAt) {
        throw new IdpError('ERR_SAMPLE_RP_STATE', 'This sign-in was not started in this browser, was already used, or took too long. Start again.');
      }
      pending.delete(stateParam);
      const { lib, config: cfg } = await config();
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      let tokens;
      try {
        // openid-client takes the redirect URI from this URL: the registered one, not the Host header.
        tokens = await lib.authorizationCodeGrant(cfg, new URL(redirectUri + query), { pkceCodeVerifier: p.verifier, expectedState: stateParam, expectedNonce: p.nonce });
      } catch (e) {
        const oauth = e as { error?: string; error_description?: string; message: string };
        throw new IdpError('ERR_SAMPLE_RP_SIGN_IN', `The sign-in failed: ${oauth.error ? `${oauth.error}${oauth.error_description ? ` (${oauth.error_description})` : ''}` : oauth.message}`, { status: 400 });
      }
      const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
      const id = randomBytes(16).toString('hex');
      remember(sessions, id, { claims, idToken: tokens.id_token ?? '', issuer: cfg.serverMetadata().issuer });
      res.append('Set-Cookie', serialize('sample-rp', id, { path: '/sample-rp', httpOnly: true, sameSite: 'lax' }));
      res.type('html').send(page('Signed in', signedInBody(claims)));
    } catch (e) {
      next(e);
    }
  });

  r.get('/logout', async (req, res, next) => {
    try {
      const id = parseCookies(req.headers.cookie ?? '')['sample-rp'] ?? '';
      const session = sessions.get(id);
      sessions.delete(id);
      if (!session) return res.redirect(302, './');
      const { lib, config: cfg } = await config();
      // RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): the OP ends its session too.
      res.redirect(302, lib.buildEndSessionUrl(cfg, { id_token_hint: session.idToken, post_logout_redirect_uri: `${consoleUrl}/sample-rp/` }).toString());
    } catch (e) {
      next(e);
    }
  });

  // The sample RP's one error handler: a page with the stable code, never a stack trace.
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof IdpError ? err : new IdpError('ERR_SAMPLE_RP_SIGN_IN', 'The sample RP could not handle this request.', { status: 500 });
    if (!(err instanceof IdpError)) state.log.error({ svc: 'console', err }, 'sample RP error');
    res
      .status(e.status)
      .set('X-Idp-Harness-Error', e.code)
      .type('html')
      .send(page('Sign-in failed', `<p id="signInError">${h(e.message)}</p><p>Code: <span id="errorCode">${h(e.code)}</span></p><p><a href="./">Back</a></p>`));
  });
  return r;
}

function signedInBody(claims: Record<string, unknown>): string {
  const rows = Object.keys(claims)
    .sort()
    .map((k) => `<tr><td>${h(k)}</td><td class="claim">${h(typeof claims[k] === 'string' ? (claims[k] as string) : JSON.stringify(claims[k]))}</td></tr>`)
    .join('');
  return `<h1 id="signedIn" style="font-size:18px">Signed in</h1>
<p>Subject: <b id="rpSubject">${h(String(claims['sub'] ?? ''))}</b> · issuer <code id="rpIssuer">${h(String(claims['iss'] ?? ''))}</code></p>
<p>The ID token's claims, validated by openid-client (signature by the OP's JWKS, iss, aud, exp, nonce):</p>
<table id="claims">${rows}</table>
<p><a id="rpLogout" href="logout">Sign out</a> · <a href="./">Back</a></p>`;
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.set(key, value);
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}

/**
 * The issuer URL of an OIDC issuer of this lab: from the running service, else (another process
 * runs it, docker compose) from its configured public URL and path, as that process derives it.
 */
function issuerUrl(state: LabState, issuerId: string): string {
  const running = state.oidc?.issuers.get(issuerId);
  if (running) return running.issuer;
  const cfg = state.config.oidc;
  const path = cfg.issuers.find((i) => i.id === issuerId)?.path ?? '/';
  const base = (state.urls.oidc ?? cfg.publicUrl ?? defaultPublicUrl(state.config.tls.enabled, cfg.port)).replace(/\/+$/, '');
  return path === '/' ? base : `${base}${path}`;
}
