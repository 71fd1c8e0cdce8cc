import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';
import { UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';

/**
 * The console's sample RP (`/sample-rp/`, openid-client against the lab OP as the fixture client
 * `sample-console-rp`), driven by the scripted browser: the code flow with PKCE, the claims page,
 * sign-out through the OP, and each refusal with its code. Over plain HTTP and with the OP on TLS
 * (trusted through the lab CA), and with no OP to talk to.
 */

const CLIENT_ID = 'sample-console-rp';

function code(r: UaResponse): unknown {
  return r.headers['x-idp-harness-error'];
}

/** From the sample RP's login to the OP's redirect back (the callback URL, not yet visited). */
async function toCallback(lab: Lab, ua: UserAgent, user = { username: 'agent1', password: 'Agent1Pass!' }): Promise<URL> {
  const start = await ua.get(`${lab.urls.console}/sample-rp/login`);
  expect(start.status, start.body.slice(0, 300)).toBe(302);
  const to = new URL(start.location!);
  expect(to.searchParams.get('client_id')).toBe(CLIENT_ID);
  expect(to.searchParams.get('code_challenge_method')).toBe('S256');
  expect(to.searchParams.get('redirect_uri')).toBe(`${lab.urls.console}/sample-rp/callback`);
  const auth = await authorize(ua, to, `${lab.urls.console}/sample-rp/callback`, user);
  return auth.callback;
}

const claimOf = (page: UaResponse, name: string) => new RegExp(`<tr><td>${name}</td><td class="claim">([^<]*)</td></tr>`).exec(page.body)?.[1];

for (const tls of [false, true]) {
  describe(`sample RP with the lab OP (${tls ? 'OP on TLS' : 'plain HTTP'})`, () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startTestLab({ services: ['oidc', 'console'], tls });
    });
    afterAll(async () => {
      await lab?.stop();
    });
    beforeEach(() => {
      lab.state.reset();
    });
    const ua = () => new UserAgent(tls ? { ca: lab.state.pki.caPem } : {});

    it('signs in with code + PKCE and shows the validated ID token claims; signs out through the OP', async () => {
      const browser = ua();
      const callback = await toCallback(lab, browser);
      const page = await browser.get(callback.toString());
      expect(page.status, page.body.slice(0, 400)).toBe(200);
      expect(page.body).toContain('id="signedIn"');
      expect(claimOf(page, 'sub')).toBe('agent1');
      expect(claimOf(page, 'aud')).toBe(CLIENT_ID);
      expect(claimOf(page, 'iss')).toBe(lab.state.oidc!.issuers.get('default')!.issuer);
      expect(claimOf(page, 'email')).toBe('agent1@lab.example');
      expect((await browser.get(`${lab.urls.console}/sample-rp/`)).body).toMatch(/Signed in as <b id="rpSubject">agent1<\/b>/);

      const logout = await browser.get(`${lab.urls.console}/sample-rp/logout`);
      expect(logout.status).toBe(302);
      const end = new URL(logout.location!);
      expect(`${end.origin}${end.pathname}`).toBe(`${lab.urls.oidc}/session/end`);
      expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${lab.urls.console}/sample-rp/`);
      expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
      expect((await browser.get(`${lab.urls.console}/sample-rp/`)).body).not.toContain('Signed in as');
    });

    it('refuses a callback replayed, or brought by another browser (ERR_SAMPLE_RP_STATE)', async () => {
      const browser = ua();
      const callback = await toCallback(lab, browser);
      const stranger = await ua().get(callback.toString());
      expect([stranger.status, code(stranger)]).toEqual([400, 'ERR_SAMPLE_RP_STATE']);
      expect(stranger.body).toContain('<span id="errorCode">ERR_SAMPLE_RP_STATE</span>');
      // The stranger did not use the sign-in up: its own browser still finishes it, once.
      expect((await browser.get(callback.toString())).status).toBe(200);
      const replay = await browser.get(callback.toString());
      expect([replay.status, code(replay)]).toEqual([400, 'ERR_SAMPLE_RP_STATE']);
    });

    it('an error from the OP is a refused sign-in (ERR_SAMPLE_RP_SIGN_IN), never a 500', async () => {
      const browser = ua();
      const start = await browser.get(`${lab.urls.console}/sample-rp/login`);
      const state = new URL(start.location!).searchParams.get('state')!;
      const issuer = lab.state.oidc!.issuers.get('default')!.issuer;
      const r = await browser.get(`${lab.urls.console}/sample-rp/callback?${new URLSearchParams({ state, error: 'access_denied', error_description: 'the user said no', iss: issuer })}`);
      expect([r.status, code(r)]).toEqual([400, 'ERR_SAMPLE_RP_SIGN_IN']);
      expect(r.body).toContain('access_denied');
    });
  });
}

describe('sample RP without its client or its OP', () => {
  it('says the client is missing (ERR_SAMPLE_RP_NOT_CONFIGURED), until a reset brings it back', async () => {
    const lab = await startTestLab({ services: ['oidc', 'console'] });
    try {
      expect((await fetch(`${lab.urls.console}/api/oidc/clients/${CLIENT_ID}`, { method: 'DELETE' })).status).toBe(200);
      const r = await new UserAgent().get(`${lab.urls.console}/sample-rp/login`);
      expect([r.status, code(r)]).toEqual([503, 'ERR_SAMPLE_RP_NOT_CONFIGURED']);
      expect((await fetch(`${lab.urls.console}/api/reset`, { method: 'POST' })).status).toBe(200);
      expect((await new UserAgent().get(`${lab.urls.console}/sample-rp/login`)).status).toBe(302);
    } finally {
      await lab.stop();
    }
  });

  it('answers 502 ERR_SAMPLE_RP_SIGN_IN when the OP cannot be reached', async () => {
    const lab = await startTestLab({ services: ['console'], config: { oidc: { publicUrl: 'http://127.0.0.1:1' } } });
    try {
      const r = await new UserAgent().get(`${lab.urls.console}/sample-rp/login`);
      expect([r.status, code(r)]).toEqual([502, 'ERR_SAMPLE_RP_SIGN_IN']);
      expect(r.body).toContain('http://127.0.0.1:1');
    } finally {
      await lab.stop();
    }
  });
});
