import * as oidc from 'openid-client';
import type { OIDC_FAULT_KINDS } from '../../../../idp/src/shared/faults.js';
import { labUser } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { browse, discoverAs, refusalOf, labClient } from './oidc-rp.js';

type OidcFaultKind = (typeof OIDC_FAULT_KINDS)[number];

interface FaultCase {
  kind: OidcFaultKind;
  what: string;
  /** What openid-client must say: the OAuth `error` of the token response, or its own check's code. */
  expect: { error: string } | { code: string; message: RegExp };
  /** Whether the code survives the fault (an injected error answered before the code was looked at). */
  codeSurvives: boolean;
}

const CASES: FaultCase[] = [
  // RFC 6749 §5.2: the token endpoint's error response.
  { kind: 'invalid-grant', what: 'the token endpoint answers invalid_grant', expect: { error: 'invalid_grant' }, codeSurvives: true },
  // OIDC Core §3.1.3.7 item 9: "The current time MUST be before the time represented by the exp Claim."
  { kind: 'expired-id-token', what: 'an expired ID token', expect: { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', message: /exp/ }, codeSurvives: false },
  // OIDC Core §3.1.3.7 item 6: the ID token MUST be validated with the issuer's keys (JWKS).
  { kind: 'id-token-bad-signature', what: 'an ID token no published key verifies', expect: { code: 'OAUTH_INVALID_RESPONSE', message: /signature/ }, codeSurvives: false },
];

/**
 * One scenario per OIDC fault: queued through the control API for the fixture client sample-web,
 * it bends the next token response, and openid-client refuses it for the right reason; the fault
 * is consumed, and the next redemption (the same code when the fault came before the code was
 * looked at, else a new sign-in) succeeds.
 */
export const OIDC_FAULT_SCENARIOS: Scenario[] = CASES.map((c) => ({
  id: `oidc-fault-${c.kind}`,
  title: `OIDC fault '${c.kind}' (${c.what}) is refused by openid-client`,
  flow: 'F7',
  tags: ['oidc', 'fault', 'negative'],
  needs: ['oidc', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const client = await ctx.step('the fixture client sample-web (client_secret_basic)', () => labClient(ctx, 'sample-web'));
    const cfg = await discoverAs(ctx, client.client_id, oidc.ClientSecretBasic(String(client.client_secret)));
    const redirectUri = client.redirect_uris[0]!;
    await ctx.step(`queue the '${c.kind}' fault for sample-web (control API)`, async () => {
      await ctx.target.control.faults.add({ surface: 'oidc', kind: c.kind, clientId: client.client_id });
    });
    const first = await ctx.step('sign in (code + PKCE)', () => browse(ctx, cfg, { redirectUri, user }));
    await ctx.step('openid-client refuses the token response', async () => {
      const refused = await refusalOf(first.redeem());
      if ('error' in c.expect) {
        expectThat(refused.error === c.expect.error, `refused with ${refused.error || refused.code}: ${refused.message}`);
      } else {
        expectThat(refused.code === c.expect.code && c.expect.message.test(refused.message), `refused with ${refused.code}: ${refused.message}`);
      }
      ctx.note(`openid-client: ${refused.error || refused.code}: ${refused.message}`);
    });
    await ctx.step('the fault was consumed (the queue is empty)', async () => {
      const left = await ctx.target.control.faults.list();
      expectThat(left.length === 0, `still queued: ${JSON.stringify(left)}`);
    });
    await ctx.step(c.codeSurvives ? 'one shot: the same code now redeems' : 'one shot: a new sign-in (OP session) redeems', async () => {
      const redeem = c.codeSurvives ? first.redeem : (await browse(ctx, cfg, { redirectUri, user, ua: first.ua })).redeem;
      const tokens = await redeem();
      expectThat(tokens.claims()?.sub === user.username, `sub ${tokens.claims()?.sub}`);
    });
  },
}));
