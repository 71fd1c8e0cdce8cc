import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { expectRefusal, restClient, restRefusal, ssoClient } from './finesse-clients.js';

const INVALID = { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_TOKEN_INVALID' };

/**
 * DESIGN F3: "401 for a missing, forged, expired or revoked token". Finesse asks IdS about every
 * Bearer token; a random string, and a genuine IdS token (Encrypt Token off, so it is a signed
 * JWT, reference A.1.4) re-signed by another key — as is, and rewritten to speak for someone
 * else — are all refused with 401 and ErrorData ERR_IDS_TOKEN_INVALID, while the genuine passes.
 */
export const finesseForgedToken: Scenario = {
  id: 'finesse-forged-token',
  title: 'Finesse answers 401 ERR_IDS_TOKEN_INVALID for a random or forged Bearer token',
  flow: 'F3',
  tags: ['cisco', 'finesse', 'ids', 'negative'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const loginId = agent.finesse.loginId;
    await ctx.step('a random Bearer token: 401 ERR_IDS_TOKEN_INVALID', async () => {
      const e = await restRefusal('a random token', restClient(ctx, `Bearer ${randomBytes(48).toString('base64url')}`).getUser(loginId));
      expectRefusal('a random token', e, INVALID);
    });
    await ctx.step('turn IdS "Encrypt Token" off (control API), so its tokens are signed JWTs', async () => {
      await ctx.target.control.ids.updateSettings({ encrypt: false });
    });
    const genuine = await ctx.step('acquire a genuine token; it works', async () => {
      const { token } = await ssoClient(ctx, agent).acquire();
      expectThat(token.split('.').length === 3, 'the token is not a JWS');
      expectThat((await restClient(ctx, `Bearer ${token}`).getUser(loginId)).loginId === loginId, 'the genuine token is refused');
      return token;
    });
    await ctx.step('the same header and claims signed by another RSA key: 401 ERR_IDS_TOKEN_INVALID', async () => {
      const [header, payload] = genuine.split('.') as [string, string];
      const e = await restRefusal('the re-signed token', restClient(ctx, `Bearer ${forge(header, payload)}`).getUser(loginId));
      expectRefusal('the re-signed token', e, INVALID);
    });
    await ctx.step('a payload rewritten with another user_id, re-signed: 401 ERR_IDS_TOKEN_INVALID', async () => {
      const [header, payload] = genuine.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      // IdS packs the user into `sub` as JSON (reference A.1.4); rewrite whatever names the user.
      const rewritten = JSON.stringify(claims).replaceAll(agent.username, 'supervisor1');
      const e = await restRefusal('the rewritten token', restClient(ctx, `Bearer ${forge(header, Buffer.from(rewritten).toString('base64url'))}`).getUser(loginId));
      expectRefusal('the rewritten token', e, INVALID);
    });
  },
};

/** A JWS over `header.payload` with a fresh key the lab has never seen. */
function forge(header: string, payload: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
}
