import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent, readForm } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());

describe('smoke', () => {
  it('signs in agent1 at the sample SP over HTTP-Redirect', async () => {
    const ua = new UserAgent();
    const start = await ua.get(lab.urls.console + '/sample-sp/login');
    expect(start.status).toBe(302);
    const login = await ua.get(start.location!);
    expect(login.status).toBe(200);
    const form = readForm(login.body, login.url);
    const posted = await ua.post(form.action, { ...form.fields, UserName: 'agent1', Password: 'Agent1Pass!' });
    expect(posted.status).toBe(200);
    const working = readForm(posted.body, posted.url);
    expect(working.fields['SAMLResponse']).toBeTruthy();
    const acs = await ua.post(working.action, working.fields);
    expect(acs.body).toContain('agent1@lab.example');
    expect(acs.status).toBe(200);
  });
});
