import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { authnRequestXml, endpoints, getLs, newId, readPosted, redirectQuery, SAMPLE_SP, submitLogin } from './lab-saml.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());

describe('fault targeting', () => {
  it('keeps a wrong-in-response-to fault for the next SP-initiated response; an unsolicited one cannot take it', async () => {
    lab.state.faults.enqueue({ surface: 'adfs', kind: 'wrong-in-response-to' });
    const ua = new UserAgent();
    const unsolicited = await submitLogin(ua, await ua.get(`${lab.state.adfs!.urls.idpInitiated}?loginToRp=${encodeURIComponent(SAMPLE_SP)}`));
    expect(readPosted(unsolicited).inResponseTo).toBeUndefined();
    expect(lab.state.faults.list().map((f) => f.kind)).toEqual(['wrong-in-response-to']);

    const id = newId();
    const solicited = readPosted(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id }))));
    expect(solicited.target).toBe(endpoints(lab).sampleAcs);
    expect(solicited.inResponseTo).toMatch(/^_[0-9a-f-]{36}$/);
    expect(solicited.inResponseTo).not.toBe(id);
    expect(lab.state.faults.list()).toEqual([]);
  });
});
