import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { globalAgent } from 'node:http';
import { createServer } from 'node:net';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { endSession } from '../../../harness/src/clients/oidc-browser.js';
import { idpEndSessionUrl } from '../../src/cxone/oidc-rp/end-session.js';
import type { Lab } from '../../src/lab.js';
import { admin, AGENT2_EMAIL, AGENT2_ID, browser, errorCode, home, jwtPayload, LAB_OIDC_ID, signIn, startCxoneOidcLab } from './oidc-helpers.js';

/**
 * F5 with the fixture "Lab OIDC" authenticator (client `cxone-lab` of the lab OP, fixtures/oidc/
 * clients.json, client_secret_basic): agent2's external identity `claim(email):agent2@lab.example`
 * links on the first sign-in and becomes the IdP's `sub`; the second sign-in matches by `sub`.
 */
describe('CXone OIDC authenticator: claim-based linking with the fixture Lab OIDC', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startCxoneOidcLab();
  });
  afterAll(() => lab?.stop());
  beforeEach(() => lab.state.reset());

  it('the fixture authenticator matches the lab OP discovery (endpoints of every kind)', async () => {
    const found = await lab.state.cxone!.discover(`${lab.urls.oidc}/.well-known/openid-configuration`);
    const a = (await admin(lab, 'GET', `/login-authenticators/${LAB_OIDC_ID}`)).body;
    expect(a.oidc).toMatchObject(found);
    expect(found.userinfoEndpoint).toBe(`${lab.urls.oidc}/me`);
    expect(found.endSessionEndpoint).toBe(`${lab.urls.oidc}/session/end`);
  });

  it('links agent2 by e-mail on the first sign-in, replaces the identity with sub, and matches by sub the second time', async () => {
    const first = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(first.response.status).toBe(303);
    expect(first.response.location).toBe('/');
    expect(first.callback.searchParams.get('iss')).toBe(lab.urls.oidc);
    const page = await home(lab, first.ua);
    expect(page.body).toContain(`id="signedInUser">${AGENT2_EMAIL}<`);

    // The session keeps the IdP's signed ID token (the id_token_hint of its end-session endpoint).
    const session = lab.state.cxone!.sessions.list().find((s) => s.userId === AGENT2_ID)!;
    expect(session.amr).toEqual(['fed']);
    expect(session.external).toMatchObject({ kind: 'oidc', authenticatorId: LAB_OIDC_ID });
    const idToken = session.external!.idToken!;
    expect(idToken.split('.')).toHaveLength(3);
    const sub = jwtPayload(idToken)['sub'];
    expect(typeof sub).toBe('string');
    expect(sub).not.toBe(AGENT2_EMAIL);

    const user = (await admin(lab, 'GET', `/users/${AGENT2_ID}`)).body;
    expect(user.externalIdentity).toBe(sub);

    // The second sign-in (a new browser, so the IdP shows its login page again) finds agent2 by sub.
    const second = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(second.response.status).toBe(303);
    expect((await admin(lab, 'GET', `/users/${AGENT2_ID}`)).body.externalIdentity).toBe(sub);
  });

  it('after linking, the e-mail claim no longer identifies anyone: another user holding it is not agent2', async () => {
    const first = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(first.response.status).toBe(303);
    // A second CXone user of the same authenticator now takes the claim identity agent2 had.
    const other = await admin(lab, 'POST', '/users', {
      username: 'bob.claim@lab.example',
      email: 'bob.claim@lab.example',
      firstName: 'Bob',
      lastName: 'Claim',
      active: true,
      loginAuthenticatorId: LAB_OIDC_ID,
      externalIdentity: `claim(email):${AGENT2_EMAIL}`,
    });
    expect(other.status).toBe(201);
    // The IdP's agent2 is matched by sub (agent2), so naming the other user is refused.
    const r = await signIn(lab, 'bob.claim@lab.example', LAB_OIDC_ID);
    expect(r.response.status).toBe(403);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_USER_MISMATCH');
  });

  it('the same browser signs in again through the IdP session without a login page', async () => {
    const ua = browser(lab);
    expect((await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID, { ua })).response.status).toBe(303);
    const again = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID, { ua });
    expect(again.response.status).toBe(303);
    expect((await home(lab, ua)).body).toContain('id="signedInUser"');
  });

  it("idpEndSessionUrl: the IdP's end-session endpoint takes the ID token hint and returns to the logout redirect URI", async () => {
    const { ua } = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    const ctx = lab.state.cxone!;
    const session = ctx.sessions.list().find((s) => s.userId === AGENT2_ID)!;
    const a = ctx.store.authenticators.get(LAB_OIDC_ID)!;
    const url = new URL(idpEndSessionUrl(ctx, a, session.external!.idToken!, 'st-123')!);
    expect(`${url.origin}${url.pathname}`).toBe(`${lab.urls.oidc}/session/end`);
    expect(url.searchParams.get('client_id')).toBe('cxone-lab');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC_ID}`);
    const end = await endSession(ua, url);
    expect(end.status).toBe(303);
    const back = new URL(end.location!);
    expect(`${back.origin}${back.pathname}`).toBe(`${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC_ID}`);
    expect(back.searchParams.get('state')).toBe('st-123');
    // Without an end-session endpoint there is nothing to build.
    expect(idpEndSessionUrl(ctx, { ...a, oidc: { ...a.oidc!, endSessionEndpoint: undefined } }, 'x', undefined)).toBeUndefined();
  });
});

describe('CXone OIDC authenticator: a link survives a restart with a state directory', () => {
  it('the sub that replaced the claim identity is in the state file and still signs agent2 in', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'cxone-oidc-state-'));
    // The state file keeps the authenticator's endpoints (the lab OP's URL): the restarted lab
    // must have the same ports, so they are chosen once, free, up front.
    const [oidcPort, cxonePort] = await Promise.all([freePort(), freePort()]);
    const start = () => startTestLab({ services: ['oidc', 'cxone'], config: { stateDir, oidc: { port: oidcPort }, cxone: { port: cxonePort } } });
    try {
      let lab = await start();
      expect((await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID)).response.status).toBe(303);
      const sub = lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity;
      expect(sub).not.toMatch(/^claim\(/);
      await lab.stop();
      // The scripted browser's pooled keep-alive sockets went to the stopped lab's ports.
      globalAgent.destroy();

      lab = await start();
      try {
        expect(lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity).toBe(sub);
        expect((await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID)).response.status).toBe(303);
      } finally {
        await lab.stop();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
