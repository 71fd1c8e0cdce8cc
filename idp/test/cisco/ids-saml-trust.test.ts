import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { adfsOf } from '../helpers/adfs-flow.js';
import { control, expectAccepted, expectRefused, IdsFlow, issued } from '../helpers/ids-flow.js';
import { throwawayCert, type ThrowawayCert } from '../helpers/throwaway-cert.js';

/**
 * The IdS Trust tab (reference A.1.6: "upload IdP metadata"; docs/cisco.md "The trusted IdP"):
 * `PUT /api/ids/idp-metadata` replaces the IdP IdS trusts, and a response verifies with the
 * trusted IdP's certificate only. Unusable metadata is refused with the reason and changes nothing.
 */

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** Minimal IdP metadata (saml-metadata §2.4.3): one signing certificate, one HTTP-POST SSO endpoint. */
function idpMetadata(p: { entityId: string; ssoUrl: string; certBase64: string }): string {
  return (
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${p.entityId}">` +
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${p.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:SingleSignOnService Binding="${POST}" Location="${p.ssoUrl}"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>'
  );
}

describe('IdS trust in the IdP (IdP metadata upload)', () => {
  let lab: Lab;
  let other: ThrowawayCert;
  let adfsMetadata: string;
  let adfs: { entityId: string; ssoUrl: string; certBase64: string; fingerprint: string };
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false });
    other = throwawayCert('ADFS Signing - not the lab');
    const a = adfsOf(lab);
    const cert = lab.state.pki.systems.adfs.signing;
    adfs = { entityId: a.identifier, ssoUrl: `${lab.urls.adfs}/adfs/ls/`, certBase64: cert.certBase64, fingerprint: new X509Certificate(cert.certPem).fingerprint256 };
    const res = await fetch(`${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`);
    expect(res.status).toBe(200);
    adfsMetadata = await res.text();
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    lab.state.reset();
  });

  const putMetadata = (xml: string) => control(lab, 'PUT', '/ids/idp-metadata', xml, 'application/samlmetadata+xml');

  async function signInOutcome(): Promise<Awaited<ReturnType<IdsFlow['post']>>> {
    const flow = new IdsFlow(lab);
    return flow.post(await flow.capture());
  }

  it('starts out trusting the lab AD FS (identifier, /adfs/ls/, token-signing certificate)', async () => {
    const r = await control(lab, 'GET', '/ids/idp-metadata');
    expect(r.json).toEqual({ source: 'lab', entityId: adfs.entityId, ssoUrl: adfs.ssoUrl, signingCertificates: [adfs.fingerprint] });
  });

  it('metadata naming another certificate → AD FS responses fail ERR_SAML_SIGNATURE_INVALID; AD FS\'s own FederationMetadata.xml → they work again', async () => {
    const up = await putMetadata(idpMetadata({ ...adfs, certBase64: other.certBase64 }));
    expect(up).toEqual({ status: 200, json: { source: 'uploaded', entityId: adfs.entityId, ssoUrl: adfs.ssoUrl } });
    expect((await control(lab, 'GET', '/ids/idp-metadata')).json.signingCertificates).toEqual([new X509Certificate(other.certPem).fingerprint256]);
    // AD FS still signs with its own key (and puts its certificate in KeyInfo, which IdS ignores).
    expectRefused(await signInOutcome(), 403, 'ERR_SAML_SIGNATURE_INVALID');
    expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });

    const back = await putMetadata(adfsMetadata);
    expect(back).toEqual({ status: 200, json: { source: 'uploaded', entityId: adfs.entityId, ssoUrl: adfs.ssoUrl } });
    expect((await control(lab, 'GET', '/ids/idp-metadata')).json.signingCertificates).toEqual([adfs.fingerprint]);
    expectAccepted(lab, await signInOutcome());
  });

  it('metadata with the AD FS certificate under another entityID → ERR_IDS_SAML_ISSUER (the Issuer must be the trusted IdP)', async () => {
    expect((await putMetadata(idpMetadata({ ...adfs, entityId: 'http://elsewhere.example/adfs/services/trust' }))).status).toBe(200);
    expectRefused(await signInOutcome(), 403, 'ERR_IDS_SAML_ISSUER');
    expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });
  });

  it('POST /api/reset goes back to the configured trust (the lab AD FS)', async () => {
    expect((await putMetadata(idpMetadata({ ...adfs, certBase64: other.certBase64 }))).status).toBe(200);
    expect((await control(lab, 'POST', '/reset', {})).status).toBe(200);
    expect((await control(lab, 'GET', '/ids/idp-metadata')).json.source).toBe('lab');
    expectAccepted(lab, await signInOutcome());
  });

  describe('unusable metadata → 400 ERR_CONTROL_INVALID, reason ERR_IDS_IDP_METADATA_INVALID, trust unchanged', () => {
    const bad: Array<{ name: string; xml: () => string }> = [
      { name: 'not XML', xml: () => 'this is not metadata <md:EntityDescriptor' },
      {
        name: 'a DOCTYPE (XXE)',
        xml: () => `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>${idpMetadata(adfs).replace('</md:EntityDescriptor>', '&x;</md:EntityDescriptor>')}`,
      },
      { name: 'no IDPSSODescriptor (SP metadata: IdS\'s own sp.xml)', xml: () => spMetadata },
      {
        name: 'no HTTP-POST SingleSignOnService (AD FS metadata with Redirect only)',
        xml: () => {
          const stripped = adfsMetadata.replace(new RegExp(`<SingleSignOnService Binding="${POST}"[^>]*/>`), '');
          if (stripped === adfsMetadata || !stripped.includes('<SingleSignOnService ')) throw new Error('expected AD FS metadata with POST and Redirect SSO');
          return stripped;
        },
      },
    ];
    let spMetadata: string;
    beforeAll(async () => {
      spMetadata = await (await fetch(`${lab.urls.ids}/ids/saml/metadata`)).text();
      expect(spMetadata).toContain('SPSSODescriptor');
    });

    for (const b of bad) {
      it(b.name, async () => {
        const before = (await control(lab, 'GET', '/ids/idp-metadata')).json;
        const r = await putMetadata(b.xml());
        expect(r.status).toBe(400);
        expect({ code: r.json.error.code, reason: r.json.error.details?.reason }).toEqual({ code: 'ERR_CONTROL_INVALID', reason: 'ERR_IDS_IDP_METADATA_INVALID' });
        expect((await control(lab, 'GET', '/ids/idp-metadata')).json).toEqual(before);
        expectAccepted(lab, await signInOutcome());
      });
    }
  });
});
