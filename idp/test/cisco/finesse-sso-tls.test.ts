import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { restClient, ssoClient } from './finesse-sso-helpers.js';

/**
 * F1 and F3 over TLS, as a partner's desktop meets the lab (https on every hop: Finesse, IdS,
 * AD FS), trusting only the lab CA (`certs/ca.pem`) passed to the reference clients — nothing is
 * switched off, so a wrong certificate or a plain-http hop would fail the chain.
 */
describe('Finesse SSO over TLS with the lab CA', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: true });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('acquires a token through https Finesse → IdS → AD FS and reads User/1001 with it', async () => {
    for (const name of ['finesse', 'ids', 'adfs'] as const) expect(lab.urls[name]).toMatch(/^https:\/\//);
    const ca = lab.state.pki.caPem;
    const t = await ssoClient(lab, 'agent1', { ca }).acquire();
    expect(t.userId).toBe('agent1');
    expect(t.refreshToken).toBeTruthy();
    const user = await restClient(lab, `Bearer ${t.token}`, ca).getUser('1001');
    expect(user.loginName).toBe('agent1');
    // Without the lab CA, the same calls do not get past the TLS handshake.
    await expect(ssoClient(lab, 'agent1').acquire()).rejects.toThrow(/certificate/i);
    await expect(restClient(lab, `Bearer ${t.token}`).getUser('1001')).rejects.toThrow(/certificate/i);
  });
});
