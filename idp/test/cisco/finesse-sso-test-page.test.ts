import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { control, ssoClient } from './finesse-sso-helpers.js';

/**
 * `GET /desktop/sso/test` (Dev Guide 12.5(1) p.189–190, reference A.1.2): an HTML page that
 * reports the browser's SSO token to its opener or parent with `window.postMessage`
 * (`{status:"true", errorMessage:""}`, or `"false"` with `NO TOKEN` / `AUTH_ERROR`) and sets the
 * cookie `ssotest`. The page's script is run here in a VM with a stand-in `window`, so what is
 * asserted is what a desktop's message listener would receive.
 */

interface Posted {
  message: unknown;
  targetOrigin: unknown;
}

/** Runs every inline script of the page with `window.opener` recording postMessage calls. */
function postedMessages(html: string): Posted[] {
  const posted: Posted[] = [];
  const opener = { postMessage: (message: unknown, targetOrigin: unknown) => posted.push({ message, targetOrigin }) };
  const window: Record<string, unknown> = { opener };
  window['parent'] = window;
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  for (const code of scripts) runInNewContext(code, { window }, { timeout: 1000 });
  return posted;
}

describe('Finesse SSO test page (/desktop/sso/test)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const testPage = (ua: UserAgent): Promise<UaResponse> => ua.get(`${lab.urls.finesse}/desktop/sso/test`);

  it('follows a refresh made by the same browser: still 200 after the first token expired', async () => {
    const ua = new UserAgent();
    const client = ssoClient(lab, 'agent2', { userAgent: ua });
    await client.acquire();
    lab.state.clock.advance(50 * 60_000);
    await client.refresh();
    lab.state.clock.advance(20 * 60_000); // the first token is now 70 minutes old: expired
    const page = await testPage(ua);
    expect(page.status).toBe(200);
    expect(postedMessages(page.body).map((p) => p.message)).toEqual([{ status: 'true', errorMessage: '' }]);
  });

  it('before any fetch: 401, ssotest=false, posts {status:"false", errorMessage:"NO TOKEN"}; after a fetch in the same browser: 200, ssotest=true, {status:"true"}; after IdS revokes the user\'s tokens: 401 AUTH_ERROR', async () => {
    const ua = new UserAgent();

    const none = await testPage(ua);
    expect(none.status).toBe(401);
    expect(none.headers['x-idp-harness-error']).toBe('ERR_FINESSE_UNAUTHORIZED');
    expect(String(none.headers['content-type'])).toMatch(/^text\/html/);
    expect(ua.cookies(lab.urls.finesse!)['ssotest']).toBe('false');
    expect(postedMessages(none.body).map((p) => p.message)).toEqual([{ status: 'false', errorMessage: 'NO TOKEN' }]);

    const t = await ssoClient(lab, 'agent1', { userAgent: ua }).acquire();
    expect(t.token).toBeTruthy();
    const ok = await testPage(ua);
    expect(ok.status).toBe(200);
    expect(ua.cookies(lab.urls.finesse!)['ssotest']).toBe('true');
    expect(postedMessages(ok.body).map((p) => p.message)).toEqual([{ status: 'true', errorMessage: '' }]);

    // Another browser has no token, whatever this one holds.
    const other = await testPage(new UserAgent());
    expect(other.status).toBe(401);
    expect(postedMessages(other.body).map((p) => p.message)).toEqual([{ status: 'false', errorMessage: 'NO TOKEN' }]);

    const revoked = await control(lab, 'POST', '/ids/tokens/revoke', { user: 'agent1' });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked).toBeGreaterThanOrEqual(2);
    const after = await testPage(ua);
    expect(after.status).toBe(401);
    expect(after.headers['x-idp-harness-error']).toBe('ERR_FINESSE_UNAUTHORIZED');
    expect(ua.cookies(lab.urls.finesse!)['ssotest']).toBe('false');
    expect(postedMessages(after.body).map((p) => p.message)).toEqual([{ status: 'false', errorMessage: 'AUTH_ERROR' }]);
  });

  it('posts to the parent frame when the page has no opener (the page in an iframe)', async () => {
    const ua = new UserAgent();
    await ssoClient(lab, 'agent2', { userAgent: ua }).acquire();
    const res = await testPage(ua);
    expect(res.status).toBe(200);
    const posted: unknown[] = [];
    const parent = { postMessage: (m: unknown) => posted.push(m) };
    const window = { opener: null, parent };
    for (const m of res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)) runInNewContext(m[1]!, { window }, { timeout: 1000 });
    expect(posted).toEqual([{ status: 'true', errorMessage: '' }]);
  });
});
