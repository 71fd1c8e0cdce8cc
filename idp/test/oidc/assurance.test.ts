import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { authorizationFailure, codeFlow, discover, issuerUrl, oidc, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * Authentication context on the default (standard) issuer: the acr the lab reports is the first
 * requested value the user can reach (OIDC Core §3.1.2.1: acr_values in order of preference),
 * with the RFC 8176 amr of that level. Voluntary values that cannot be met fall back to the
 * user's best plain level; an essential acr (§5.5.1.1) that cannot be met is an error. The users'
 * abilities are those of fixtures/users.json: agent1 password only (loa 2, ial 1), agent2 MFA
 * (loa 3, ial 2, aal 2), supervisor1 PIV and phishing-resistant (loa 4, ial 2, aal 3), nonsso1
 * loa 1.
 */
const NS = 'http://idmanagement.gov/ns/assurance';
const USERS = {
  agent1: 'Agent1Pass!',
  agent2: 'Agent2Pass!',
  supervisor1: 'Super1Pass!',
  nonsso1: 'NonSso1Pass!',
} as const;
type Username = keyof typeof USERS;

const AMR_PWD = ['pwd'];
const AMR_MFA = ['pwd', 'otp', 'mfa'];
const AMR_PHR = ['pwd', 'hwk', 'mfa'];
const AMR_PIV = ['sc', 'pin', 'mfa'];

/** Expected [acr, amr] per user for one acr_values list, worked out by hand from the fixtures. */
const MATRIX: Array<{ acrValues: string; expect: Record<Username, [string, string[]]> }> = [
  {
    acrValues: `${NS}/aal/2?hspd12=true ${NS}/aal/2 pwd`,
    expect: {
      agent1: ['pwd', AMR_PWD],
      agent2: [`${NS}/aal/2`, AMR_MFA],
      supervisor1: [`${NS}/aal/2?hspd12=true`, AMR_PIV],
      nonsso1: ['pwd', AMR_PWD],
    },
  },
  {
    // Unreachable for agent1 and nonsso1: voluntary, so their best plain level, no error.
    acrValues: `${NS}/loa/3`,
    expect: {
      agent1: ['pwd', AMR_PWD],
      agent2: [`${NS}/loa/3`, AMR_MFA],
      supervisor1: [`${NS}/loa/3`, AMR_MFA],
      nonsso1: ['pwd', AMR_PWD],
    },
  },
  {
    acrValues: `${NS}/ial/2`,
    expect: {
      agent1: ['pwd', AMR_PWD],
      agent2: [`${NS}/ial/2`, AMR_PWD],
      supervisor1: [`${NS}/ial/2`, AMR_PWD],
      nonsso1: ['pwd', AMR_PWD],
    },
  },
  {
    acrValues: 'phr mfa pwd',
    expect: {
      agent1: ['pwd', AMR_PWD],
      agent2: ['mfa', AMR_MFA],
      supervisor1: ['phr', AMR_PHR],
      nonsso1: ['pwd', AMR_PWD],
    },
  },
  {
    // Order matters, not strength: the client prefers loa/2 over aal/2 here.
    acrValues: `${NS}/loa/2 ${NS}/aal/2`,
    expect: {
      agent1: [`${NS}/loa/2`, AMR_PWD],
      agent2: [`${NS}/loa/2`, AMR_PWD],
      supervisor1: [`${NS}/loa/2`, AMR_PWD],
      // loa 1: neither reached.
      nonsso1: ['pwd', AMR_PWD],
    },
  },
];

describe('acr / amr on the standard issuer', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;
  const redirectUri = 'http://localhost:8080/callback';

  beforeAll(async () => {
    lab = await startOidcLab();
    cfg = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
  });
  afterAll(() => lab.stop());

  const signIn = (username: Username, params: Record<string, string>, ua?: UserAgent) =>
    codeFlow(cfg, { redirectUri, username, password: USERS[username], params, ...(ua ? { ua } : {}) });

  it('prompt=none with a voluntary acr the user cannot reach still answers silently, at the session level', async () => {
    // OIDC Core §3.1.2.1: acr_values are voluntary; a silent renew must not fail over one the
    // user can never reach (agent1 has no second factor), as the interactive request would not.
    const ua = new UserAgent();
    const first = await signIn('agent1', { acr_values: 'mfa' }, ua);
    expect(first.tokens.claims()!.acr).toBe('pwd');
    const silent = await codeFlow(cfg, { redirectUri, ua, username: undefined, params: { prompt: 'none', acr_values: 'mfa' } });
    expect(silent.auth.pages).toEqual([]);
    expect(silent.tokens.claims()).toMatchObject({ sub: 'agent1', acr: 'pwd' });
  });

  for (const row of MATRIX) {
    for (const [username, [acr, amr]] of Object.entries(row.expect) as Array<[Username, [string, string[]]]>) {
      it(`acr_values "${row.acrValues.replaceAll(NS, '…')}": ${username} gets ${acr.replace(NS, '…')}`, async () => {
        const { tokens } = await signIn(username, { acr_values: row.acrValues });
        expect(tokens.claims()).toMatchObject({ sub: username, acr, amr });
      });
    }
  }

  it('answers a voluntary value nobody in the request reaches with the best plain level of each user, not an error', async () => {
    const best: Record<Username, [string, string[]]> = {
      agent1: ['pwd', AMR_PWD],
      agent2: ['mfa', AMR_MFA],
      supervisor1: ['phr', AMR_PHR],
      nonsso1: ['pwd', AMR_PWD],
    };
    // An acr the lab does not know at all: no user reaches it.
    for (const username of Object.keys(best) as Username[]) {
      const { tokens } = await signIn(username, { acr_values: 'urn:example:acr:unknown' });
      expect(tokens.claims()).toMatchObject({ sub: username, acr: best[username][0], amr: best[username][1] });
    }
  });

  describe('essential acr through the claims parameter (OIDC Core §5.5.1.1)', () => {
    const essential = (values: string[]) => JSON.stringify({ id_token: { acr: { essential: true, values } } });

    it('is honoured when reachable', async () => {
      const { tokens } = await signIn('supervisor1', { claims: essential(['phr', 'mfa']) });
      expect(tokens.claims()).toMatchObject({ acr: 'phr', amr: AMR_PHR });
    });

    it('ends with unmet_authentication_requirements at the redirect URI when not reachable', async () => {
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: oidc.randomState(),
        claims: essential(['phr', `${NS}/aal/2`]),
      });
      const f = await authorizationFailure(url, redirectUri, { username: 'agent1', password: USERS.agent1 });
      expect(f).toMatchObject({ at: 'redirect', error: 'unmet_authentication_requirements', pages: ['login'] });
      expect(f.error_description).toContain('phr');
    });
  });

  it('steps an existing session up without a new sign-in page (emulated second factor)', async () => {
    const first = await signIn('agent2', { acr_values: 'pwd' });
    expect(first.auth.pages).toEqual(['login']);
    expect(first.tokens.claims()).toMatchObject({ acr: 'pwd', amr: AMR_PWD });
    // Same browser, a request for a level the session is not at: re-evaluated, no page shown.
    const second = await signIn('agent2', { acr_values: 'mfa' }, first.ua);
    expect(second.auth.pages).toEqual([]);
    expect(second.tokens.claims()).toMatchObject({ sub: 'agent2', acr: 'mfa', amr: AMR_MFA });
    // And a request at the session's level again is plain SSO.
    const third = await signIn('agent2', { acr_values: 'mfa' }, first.ua);
    expect(third.auth.pages).toEqual([]);
    expect(third.tokens.claims()).toMatchObject({ acr: 'mfa' });
  });

  it('advertises in acr_values_supported exactly the values a sign-in can reach', async () => {
    const meta = await (await fetch(`${issuerUrl(lab)}/.well-known/openid-configuration`)).json();
    const advertised = meta.acr_values_supported as string[];
    expect([...advertised].sort()).toEqual(
      [
        `${NS}/aal/2?hspd12=true`,
        `${NS}/aal/2?phishing_resistant=true`,
        `${NS}/aal/2`,
        `${NS}/loa/4`,
        `${NS}/loa/3`,
        `${NS}/loa/2`,
        `${NS}/loa/1`,
        `${NS}/ial/2`,
        `${NS}/ial/1`,
        'phr',
        'mfa',
        'pwd',
      ].sort(),
    );
    // supervisor1 can do everything: each advertised value, asked alone, comes back as such.
    const reached: string[] = [];
    for (const value of advertised) {
      const { tokens } = await signIn('supervisor1', { acr_values: value });
      reached.push(String(tokens.claims()!.acr));
    }
    expect(reached).toEqual(advertised);
  });
});
