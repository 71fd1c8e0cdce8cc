import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { readSamlPost, submitLogin } from '../helpers/adfs-flow.js';

/**
 * TLS is the lab's default (issue 2: "TLS by default, plain HTTP by switch"): AD FS over HTTPS
 * with a certificate from the lab CA, and the SSO cookie marked for cross-site POSTs.
 */

let lab: Lab;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'], tls: true });
});
afterAll(() => lab.stop());

describe('AD FS over TLS', () => {
  it('signs agent1 in to the sample SP over HTTPS, trusting only the lab CA', async () => {
    expect(lab.urls.adfs).toMatch(/^https:\/\/localhost:\d+$/);
    const ua = new UserAgent({ ca: lab.state.pki.caPem });
    const start = await ua.get(`${lab.urls.console}/sample-sp/login`);
    expect(start.status).toBe(302);
    expect(start.location!.startsWith(`${lab.urls.adfs}/adfs/ls/?SAMLRequest=`)).toBe(true);
    const login = await ua.get(start.location!);
    const posted = await submitLogin(ua, login, 'agent1', 'Agent1Pass!');
    const msisAuth = ([] as string[]).concat(posted.headers['set-cookie'] ?? []).find((c) => c.startsWith('MSISAuth='));
    expect(msisAuth).toContain('Secure');
    expect(msisAuth).toContain('SameSite=None');
    const working = readSamlPost(posted);
    const acs = await ua.post(working.action, { SAMLResponse: working.value });
    expect(acs.status).toBe(200);
    expect(acs.body).toContain('<b id="nameId">agent1@lab.example</b>');
  });

  it('is refused by a client that trusts another CA instead of the lab CA', async () => {
    const ua = new UserAgent({ ca: lab.state.pki.systems['sample-sp'].signing.certPem });
    await expect(ua.get(`${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`)).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
