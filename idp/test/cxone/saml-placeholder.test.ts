import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { adminApi, browser, expectHome, postToAcs, samlAuthenticatorInput, signInAtAdfs, submitUsername } from './saml-flow.js';

/**
 * Seed 002 "SAML 2.0 external login authenticator", steps 2–6, end to end against the lab AD FS:
 * the relying party is first registered with CXone's `…/need_to_change` placeholders (sign-in
 * fails at AD FS: it does not know CXone's entity ID), the authenticator is created and shows
 * its generated entity ID and ACS URL, the trust is updated with them, a user gets an external
 * identity, and the sign-in succeeds.
 */
const PLACEHOLDER = 'https://cxone.niceincontact.com/need_to_change';
const RP_NAME = 'NICE CXone (partner tenant)';
const USER = 'carol.partner@lab.example';

describe('the placeholder workflow (seed 002)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'cxone', 'console'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  /** The console's control API: how a test (or a partner script) registers a trust at the AD FS emulation. */
  async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${lab.urls.console}/api${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: await res.json() };
  }

  it('placeholders → sign-in refused by AD FS; generated values registered → sign-in succeeds', async () => {
    // Step 2: the IdP-side integration, before CXone's values are known.
    const rp = await control('POST', '/relying-parties', {
      name: RP_NAME,
      identifiers: [PLACEHOLDER],
      endpoints: [{ kind: 'acs', binding: 'POST', url: PLACEHOLDER, isDefault: true }],
      samlResponseSignature: 'MessageOnly',
      nameId: { format: 'unspecified', value: '{upn}' },
    });
    expect(rp.status, JSON.stringify(rp.body)).toBe(201);

    // Step 3: the login authenticator, with the IdP's SSO URL and its signing certificate (PEM).
    const created = await adminApi(lab, 'POST', '/login-authenticators', samlAuthenticatorInput(lab, { name: 'Partner AD FS' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: string = created.body.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Step 3.10: open it and note the Entity ID and ACS URL (reference B.2.1 formats).
    const shown = await adminApi(lab, 'GET', `/login-authenticators/${id}`);
    expect(shown.body.saml).toMatchObject({
      entityId: `${lab.urls.cxone}/${id}`,
      acsUrl: `${lab.urls.cxone}/auth/authorize?tenantId=${id}`,
      endpointUrl: `${lab.urls.adfs}/adfs/ls/`,
      ficam: false,
    });
    expect(shown.body.saml.certificateInfo.sha256Fingerprint).toBe(lab.state.pki.systems.adfs.signing.fingerprintSha256);

    // Step 5: a user of this authenticator whose External Identity is what AD FS sends (the UPN).
    const user = await adminApi(lab, 'POST', '/users', {
      username: USER,
      email: USER,
      firstName: 'Carol',
      lastName: 'Partner',
      active: true,
      loginAuthenticatorId: id,
      externalIdentity: 'supervisor1@lab.example',
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);

    // With the placeholders still at AD FS, CXone's AuthnRequest names an unknown relying party.
    const ua = browser(lab);
    const sent = await submitUsername(ua, lab, USER);
    expect(sent.status).toBe(302);
    const refused = await ua.get(sent.location!);
    // AD FS's own error page (HTTP 200 with an MSIS code, as AD FS answers), nothing for CXone.
    expect(refused.headers['x-idp-harness-error']).toBe('ERR_SAML_UNKNOWN_RELYING_PARTY');
    expect(refused.body).not.toContain('SAMLResponse');

    // The identifier alone is not enough: AD FS also refuses an ACS URL it does not have.
    const half = await control('PATCH', `/relying-parties/${encodeURIComponent(RP_NAME)}`, { identifiers: [shown.body.saml.entityId] });
    expect(half.status, JSON.stringify(half.body)).toBe(200);
    const stillRefused = await ua.get((await submitUsername(ua, lab, USER)).location!);
    expect(stillRefused.headers['x-idp-harness-error']).toBe('ERR_SAML_ACS_UNREGISTERED');
    expect(stillRefused.body).not.toContain('SAMLResponse');

    // Step 4: the placeholders replaced by the generated values.
    const updated = await control('PATCH', `/relying-parties/${encodeURIComponent(RP_NAME)}`, {
      identifiers: [shown.body.saml.entityId],
      endpoints: [{ kind: 'acs', binding: 'POST', url: shown.body.saml.acsUrl, isDefault: true }],
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);

    // Step 6: the user signs in.
    const post = await signInAtAdfs(ua, lab, USER, 'supervisor1');
    expect(post.action).toBe(shown.body.saml.acsUrl);
    await expectHome(ua, lab, await postToAcs(ua, post), USER);
  });
});
