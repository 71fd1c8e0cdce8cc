import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { api, authorizeUrl, FINESSE_CLIENT_ID, getCode, postRelay, SAMPLE, signInToRelay } from '../helpers/ids-code.js';

/**
 * Cisco IdS `GET /ids/v1/oauth/authorize` and `POST /ids/relay` (reference A.1.5 steps 2–6,
 * docs/cisco.md "OAuth 2.0 authorization-code server"). RFC 6749 §4.1.2.1: while the client or its
 * redirect URI is in doubt the browser gets the error page and is never redirected; afterwards
 * errors travel back to the client on its redirect URI.
 */
describe('Cisco IdS authorize and relay', () => {
  let lab: Lab;
  const ids = () => lab.state.ids!;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await api(lab, 'POST', '/reset')).status).toBe(200);
  });

  /** An authorize request as a browser sends it, redirects not followed. */
  const authorize = (params: Record<string, string | undefined>) => fetch(authorizeUrl(lab, params), { redirect: 'manual' });
  const rawAuthorize = (query: string) => fetch(`${lab.urls.ids}/ids/v1/oauth/authorize?${query}`, { redirect: 'manual' });

  /** The IdS error page: status, our code, HTML, no Location, and no authorization left pending. */
  async function expectErrorPage(res: Response, status: number, code: string, pendingBefore: number): Promise<void> {
    expect(res.status).toBe(status);
    expect(res.headers.get('x-idp-harness-error')).toBe(code);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain(code);
    expect(ids().pending.size).toBe(pendingBefore);
  }

  it('shows the error page, never a redirect, for a missing or unknown client_id (RFC 6749 §4.1.2.1)', async () => {
    const before = ids().pending.size;
    await expectErrorPage(await authorize({ redirect_uri: SAMPLE.redirectUri, response_type: 'code', state: 's' }), 400, 'ERR_IDS_UNKNOWN_CLIENT', before);
    await expectErrorPage(await authorize({ client_id: '', redirect_uri: SAMPLE.redirectUri, response_type: 'code' }), 400, 'ERR_IDS_UNKNOWN_CLIENT', before);
    // A well-formed 40-hex ID that is not registered, and the sample's ID with one digit changed.
    const other = SAMPLE.clientId.slice(0, -1) + (SAMPLE.clientId.endsWith('0') ? '1' : '0');
    for (const clientId of ['0123456789abcdef0123456789abcdef01234567', other]) {
      await expectErrorPage(await authorize({ client_id: clientId, redirect_uri: SAMPLE.redirectUri, response_type: 'code', state: 's' }), 400, 'ERR_IDS_UNKNOWN_CLIENT', before);
    }
  });

  it('refuses an unregistered redirect_uri, near misses included, with the error page and no redirect (RFC 6749 §3.1.2.3 exact match)', async () => {
    const before = ids().pending.size;
    const nearMisses = [
      'http://127.0.0.1:8765/callback/', // trailing slash
      'http://127.0.0.1:8766/callback', // other port
      'http://127.0.0.1:8765/callback?x=1', // added query
      'http://127.0.0.1:8765/Callback', // other case in the path
      'https://127.0.0.1:8765/callback', // other scheme
      'http://localhost:8765/callback', // other host spelling
      'https://attacker.example/callback',
    ];
    for (const redirectUri of nearMisses) {
      await expectErrorPage(await authorize({ client_id: SAMPLE.clientId, redirect_uri: redirectUri, response_type: 'code', state: 's' }), 400, 'ERR_IDS_REDIRECT_URI', before);
    }
    // Finesse's own callback is registered, but for the Finesse client, not the sample.
    const finesseCallback = `${lab.urls.finesse}/desktop/sso/authcode`;
    await expectErrorPage(await authorize({ client_id: SAMPLE.clientId, redirect_uri: finesseCallback, response_type: 'code' }), 400, 'ERR_IDS_REDIRECT_URI', before);
    // The sample registers two URLs, so it has to name one (RFC 6749 §3.1.2.3).
    await expectErrorPage(await authorize({ client_id: SAMPLE.clientId, response_type: 'code' }), 400, 'ERR_IDS_REDIRECT_URI', before);
    // A bad redirect URI wins over a bad response_type: nothing may be sent to an unverified URL.
    await expectErrorPage(await authorize({ client_id: SAMPLE.clientId, redirect_uri: nearMisses[0], response_type: 'token' }), 400, 'ERR_IDS_REDIRECT_URI', before);
  });

  it('sends response_type=token back to the client as error=unsupported_response_type with the state (RFC 6749 §4.1.2.1)', async () => {
    const before = ids().pending.size;
    const res = await authorize({ client_id: SAMPLE.clientId, redirect_uri: SAMPLE.redirectUri, response_type: 'token', state: 'st 1/2+3' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(SAMPLE.redirectUri);
    expect(to.searchParams.get('error')).toBe('unsupported_response_type');
    expect(to.searchParams.get('state')).toBe('st 1/2+3');
    expect(to.searchParams.has('code')).toBe(false);
    expect(ids().pending.size).toBe(before);
  });

  it('sends a missing response_type back as error=invalid_request, and omits state when none was sent', async () => {
    const before = ids().pending.size;
    const withState = await authorize({ client_id: SAMPLE.clientId, redirect_uri: SAMPLE.redirectUri, state: 'abc' });
    expect(withState.status).toBe(302);
    const to = new URL(withState.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(SAMPLE.redirectUri);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('state')).toBe('abc');
    expect(to.searchParams.has('code')).toBe(false);
    const noState = await authorize({ client_id: SAMPLE.clientId, redirect_uri: SAMPLE.redirectUri });
    const to2 = new URL(noState.headers.get('location')!);
    expect(to2.searchParams.get('error')).toBe('invalid_request');
    expect(to2.searchParams.has('state')).toBe(false);
    expect(ids().pending.size).toBe(before);
  });

  it('lets a client with exactly one redirect URL omit redirect_uri: the code goes to that URL (RFC 6749 §3.1.2.3)', async () => {
    const registered = ids().clients.get(FINESSE_CLIENT_ID)!.redirectUrls;
    expect(registered).toEqual([`${lab.urls.finesse}/desktop/sso/authcode`]);
    const r = await getCode(lab, { clientId: FINESSE_CLIENT_ID, redirectUri: null, state: 'one-url' });
    const to = new URL(r.location);
    expect(`${to.origin}${to.pathname}`).toBe(registered[0]);
    expect(r.code.length).toBeGreaterThanOrEqual(16);
    expect(r.state).toBe('one-url');
  });

  it('echoes state exactly on the final redirect, and sends none when the client sent none (RFC 6749 §4.1.2)', async () => {
    const state = 'aHR0cHM6Ly9maW5lc3NlL2Rlc2t0b3A/x=1&y=2\tapplogin ü';
    const withState = await getCode(lab, { state });
    expect(withState.state).toBe(state);
    const to = new URL(withState.location);
    expect(`${to.origin}${to.pathname}`).toBe(SAMPLE.redirectUri);
    expect([...to.searchParams.keys()].sort()).toEqual(['code', 'state']);
    const without = await getCode(lab, {});
    expect(without.state).toBeNull();
    expect([...new URL(without.location).searchParams.keys()]).toEqual(['code']);
    expect(without.code).not.toBe(withState.code);
  });

  it('answers 400 to any repeated parameter, without a redirect (RFC 6749 §3.1)', async () => {
    const before = ids().pending.size;
    const c = `client_id=${SAMPLE.clientId}`;
    const r = `redirect_uri=${encodeURIComponent(SAMPLE.redirectUri)}`;
    const queries = [
      `${c}&${c}&${r}&response_type=code`,
      `${c}&${r}&${r}&response_type=code`,
      `${c}&${r}&response_type=code&response_type=code`,
      `${c}&${r}&response_type=code&state=a&state=b`,
    ];
    for (const q of queries) {
      const res = await rawAuthorize(q);
      expect(res.status, q).toBe(400);
      expect(res.headers.get('x-idp-harness-error'), q).toBe('ERR_IDS_INVALID_REQUEST');
      expect(res.headers.get('location'), q).toBeNull();
    }
    expect(ids().pending.size).toBe(before);
    // The same parameters once each do start a sign-in (the check above is about the repetition).
    const ok = await rawAuthorize(`${c}&${r}&response_type=code&state=a`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('name="SAMLRequest"');
    expect(ids().pending.size).toBe(before + 1);
  });

  describe('relay (reference A.1.5 step 5: uniqueId, single use, 2 minutes)', () => {
    it('turns a uniqueId into a code once; the second post gets ERR_IDS_RELAY_INVALID and no code', async () => {
      const form = await signInToRelay(lab, { state: 'r1' });
      const first = await postRelay(form);
      expect(first.status).toBe(302);
      expect(new URL(first.location!).searchParams.get('code')?.length).toBeGreaterThanOrEqual(16);
      const codes = ids().codes.size;
      const second = await postRelay(form);
      expect(second.status).toBe(400);
      expect(second.headers['x-idp-harness-error']).toBe('ERR_IDS_RELAY_INVALID');
      expect(second.location).toBeUndefined();
      expect(ids().codes.size).toBe(codes);
    });

    it('refuses a uniqueId posted after its 2 minutes on the lab clock, and accepts one just inside them', async () => {
      const late = await signInToRelay(lab);
      const inTime = await signInToRelay(lab);
      lab.state.clock.advance(119_000);
      const ok = await postRelay(inTime);
      expect(ok.status).toBe(302);
      lab.state.clock.advance(2_000); // late's handle is now 2 min 1 s old
      const codes = ids().codes.size;
      const res = await postRelay(late);
      expect(res.status).toBe(400);
      expect(res.headers['x-idp-harness-error']).toBe('ERR_IDS_RELAY_INVALID');
      expect(res.location).toBeUndefined();
      expect(ids().codes.size).toBe(codes);
    });

    it('refuses a missing, empty, repeated or unknown uniqueId with ERR_IDS_RELAY_INVALID', async () => {
      const relayUrl = `${lab.urls.ids}/ids/relay`;
      const codes = ids().codes.size;
      const bodies = ['', 'uniqueId=', 'other=1', 'uniqueId=not-a-handle', 'uniqueId=a&uniqueId=b'];
      for (const body of bodies) {
        const res = await fetch(relayUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        expect(res.status, body).toBe(400);
        expect(res.headers.get('x-idp-harness-error'), body).toBe('ERR_IDS_RELAY_INVALID');
        expect(res.headers.get('location'), body).toBeNull();
      }
      expect(ids().codes.size).toBe(codes);
    });
  });
});
