import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, type FinesseLab } from '../finesse-api/finesse-lab.js';
import { Desktop, TRANSPORTS, closeDesktops, domainOf, issueToken, startXmppLab, type Outcome, type TransportName } from './xmpp-test-client.js';

/**
 * Signing a desktop in to the notification service with SASL PLAIN (RFC 6120 §6, RFC 4616),
 * driven by stanza over both transports. Reference A.2.6: the JID is `<loginId>@<domain>`, the
 * password the Basic password of a non-SSO user or the IdS access token of an SSO user; the
 * sign-in lockout is Finesse's (A.2.1), shared with REST. Each refusal is a SASL `<failure>`
 * with its RFC 6120 §6.5 condition and our `[ERR_…]` code in `<text>`.
 */

let f: FinesseLab;
let uccx: FinesseLab;
beforeAll(async () => {
  [f, uccx] = await Promise.all([startXmppLab(), startXmppLab({ deploymentType: 'UCCX' })]);
});
afterAll(async () => {
  await Promise.all([f?.stop(), uccx?.stop()]);
});
beforeEach(() => {
  f.reset();
  uccx.reset();
});
afterEach(() => closeDesktops());

function expectFailure(outcome: Outcome, condition: string, code: string): void {
  expect(outcome.kind, JSON.stringify(outcome)).toBe('sasl-failure');
  if (outcome.kind !== 'sasl-failure') return;
  expect(outcome.error.condition).toBe(condition);
  expect(outcome.error.code).toBe(code);
}

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it('a non-SSO agent signs in with its Basic password; the bound JID is <loginId>@<domain>/<resource>', async () => {
    const d = await Desktop.open(f, 'nonsso1', t, { resource: 'desk-1' });
    // RFC 6120 §7.6.1: the server tells the client its full JID.
    expect(d.jid).toBe(`1003@${domainOf(f)}/desk-1`);
    // The session is usable: the server answers a ping addressed to it (XEP-0199).
    await d.barrier();
  });

  it('an SSO agent signs in with its IdS access token', async () => {
    const { accessToken } = issueToken(f, 'agent1');
    const d = await Desktop.open(f, 'agent1', t, { password: accessToken, resource: 'desk-2' });
    expect(d.jid).toBe(`1001@${domainOf(f)}/desk-2`);
  });

  it('without a resource the server generates one (RFC 6120 §7.6.2.1)', async () => {
    const d = await Desktop.open(f, 'agent2', t);
    expect(d.jid).toMatch(new RegExp(`^1002@${domainOf(f).replace(/\./g, '\\.')}/.+$`));
  });

  it('a wrong password is not-authorized', async () => {
    const { outcome } = await Desktop.attempt(f, 'nonsso1', t, { password: 'NonSso1Pass?' });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it('an SSO user presenting its directory password instead of a token is not-authorized', async () => {
    const { outcome } = await Desktop.attempt(f, 'agent1', t, { password: 'Agent1Pass!' });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it('an expired access token is credentials-expired (RFC 6120 §6.5.2)', async () => {
    const { accessToken, expiresIn } = issueToken(f, 'agent1');
    // The token works now…
    const ok = await Desktop.open(f, 'agent1', t, { password: accessToken });
    await ok.close();
    // …and not once the lab clock is past its expiry.
    f.lab.state.clock.advance((expiresIn + 1) * 1000);
    const { outcome } = await Desktop.attempt(f, 'agent1', t, { password: accessToken });
    expectFailure(outcome, 'credentials-expired', 'ERR_XMPP_TOKEN_EXPIRED');
  });

  it('a revoked access token is not-authorized', async () => {
    const { accessToken } = issueToken(f, 'agent1');
    expect(f.lab.state.ids!.tokens.revoke(accessToken)).toBe(true);
    const { outcome } = await Desktop.attempt(f, 'agent1', t, { password: accessToken });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it("another user's token is not-authorized", async () => {
    const { accessToken } = issueToken(f, 'agent2');
    const { outcome } = await Desktop.attempt(f, 'agent1', t, { password: accessToken });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it('a user locked out by bad REST sign-ins is account-disabled, even with the right password', async () => {
    const attempts = f.config.lockout.attempts;
    expect(attempts).toBe(5); // reference A.2.1: five consecutive failures lock
    for (let i = 0; i < attempts; i++) {
      const res = await f.get(undefined, '/User/1003', { headers: { authorization: basic('nonsso1', 'wrong') } });
      expect(res.status).toBe(401);
    }
    const { outcome } = await Desktop.attempt(f, 'nonsso1', t);
    expectFailure(outcome, 'account-disabled', 'ERR_FINESSE_LOCKED_OUT');
    // The lock runs out on the lab clock (`lockout.minutes`), and the desktop gets in again.
    f.lab.state.clock.advance(f.config.lockout.minutes * 60_000 + 1000);
    await Desktop.open(f, 'nonsso1', t);
  });

  it('bad SASL passwords count toward the same lockout as REST sign-ins', async () => {
    for (let i = 0; i < f.config.lockout.attempts; i++) {
      const { outcome } = await Desktop.attempt(f, 'nonsso1', t, { password: `wrong-${i}` });
      expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
    }
    const res = await f.get('nonsso1', '/User/1003');
    expect(res.status).toBe(401);
    expect(res.code).toBe('ERR_FINESSE_LOCKED_OUT');
  });

  it('an unknown user is not-authorized', async () => {
    const { outcome } = await Desktop.attempt(f, 'nonsso1', t, { local: '9999' });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it('in UCCE the loginName is not a JID localpart: only the loginId (reference A.2.1)', async () => {
    const { outcome } = await Desktop.attempt(f, 'nonsso1', t, { local: 'nonsso1' });
    expectFailure(outcome, 'not-authorized', 'ERR_XMPP_AUTH_FAILED');
  });

  it('in UCCX the loginName works as the localpart, and the bound JID still names the loginId', async () => {
    const basicUser = await Desktop.open(uccx, 'nonsso1', t, { local: 'nonsso1', resource: 'x' });
    expect(basicUser.jid).toBe(`1003@${domainOf(uccx)}/x`);
    const sso = await Desktop.open(uccx, 'agent1', t, { local: 'agent1', resource: 'y' });
    expect(sso.jid).toBe(`1001@${domainOf(uccx)}/y`);
  });
});
