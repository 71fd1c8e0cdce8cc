import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { ASSERTION_SIGNATURE_XPATH, MESSAGE_SIGNATURE_XPATH, xmlsec1Decrypt, xmlsec1Verify } from '../helpers/xmlsec1.js';
import { addRp, CLAIM, elems, NAMEID, parseXml, signIn, spSigning, testSp, URI, type Binding } from '../helpers/adfs-flow.js';

/**
 * Proof (issue 2): an independent SAML SP (@node-saml/node-saml) accepts our responses in every
 * `SamlResponseSignature` mode × `SignatureAlgorithm` × `EncryptClaims`, whichever way the
 * AuthnRequest came (HTTP-Redirect or HTTP-POST, signed or not); and xmlsec1 verifies every
 * signature we put in them, with the AD FS certificate pinned.
 */

type Mode = 'AssertionOnly' | 'MessageOnly' | 'MessageAndAssertion';
type Alg = 'rsa-sha256' | 'rsa-sha1';

interface Combo {
  mode: Mode;
  alg: Alg;
  encrypt: boolean;
  entityId: string;
  acs: string;
}

const COMBOS: Combo[] = (['AssertionOnly', 'MessageOnly', 'MessageAndAssertion'] as const).flatMap((mode) =>
  (['rsa-sha256', 'rsa-sha1'] as const).flatMap((alg) =>
    [false, true].map((encrypt) => {
      const slug = `${mode}-${alg}-${encrypt ? 'encrypted' : 'plain'}`.toLowerCase();
      return { mode, alg, encrypt, entityId: `urn:test:matrix:${slug}`, acs: `https://sp.test/matrix/${slug}/acs` };
    }),
  ),
);

/** node-saml's signature demands that match each AD FS mode (reference §4.3). */
const NODE_SAML_WANTS: Record<Mode, { wantAssertionsSigned: boolean; wantAuthnResponseSigned: boolean }> = {
  AssertionOnly: { wantAssertionsSigned: true, wantAuthnResponseSigned: false },
  MessageOnly: { wantAssertionsSigned: false, wantAuthnResponseSigned: true },
  MessageAndAssertion: { wantAssertionsSigned: true, wantAuthnResponseSigned: true },
};

const REQUESTS: { label: string; binding: Binding; signed: boolean }[] = [
  { label: 'unsigned HTTP-Redirect', binding: 'redirect', signed: false },
  { label: 'signed HTTP-Redirect', binding: 'redirect', signed: true },
  { label: 'unsigned HTTP-POST', binding: 'post', signed: false },
  { label: 'signed HTTP-POST', binding: 'post', signed: true },
];

const ALG_URIS: Record<Alg, { signature: string; digest: string; short: 'sha256' | 'sha1' }> = {
  'rsa-sha256': { signature: URI.rsaSha256, digest: URI.sha256, short: 'sha256' },
  'rsa-sha1': { signature: URI.rsaSha1, digest: URI.sha1, short: 'sha1' },
};

let lab: Lab;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  for (const c of COMBOS) {
    addRp(lab, {
      name: c.entityId,
      identifiers: [c.entityId],
      endpoints: [{ kind: 'acs', binding: 'POST', url: c.acs, index: 0, isDefault: true }],
      requestSigningCertificates: ['pki:sample-sp/signing'],
      samlResponseSignature: c.mode,
      signatureAlgorithm: c.alg,
      encryptClaims: c.encrypt,
      ...(c.encrypt ? { encryptionCertificate: 'pki:sample-sp/encryption' } : {}),
      nameId: { format: 'emailAddress', value: '{email}' },
      claims: [
        { type: CLAIM.upn, value: '{upn}' },
        { type: CLAIM.group, value: '{groups}' },
      ],
    });
  }
});
afterAll(() => lab.stop());

function spFor(c: Combo, extra: Partial<SamlConfig> = {}) {
  return testSp(lab, {
    issuer: c.entityId,
    callbackUrl: c.acs,
    ...NODE_SAML_WANTS[c.mode],
    ...(c.encrypt ? { decryptionPvk: lab.state.pki.systems['sample-sp'].encryption.keyPem } : {}),
    ...extra,
  });
}

describe.each(COMBOS)('SamlResponseSignature=$mode, $alg, encryptClaims=$encrypt', (c) => {
  it.each(REQUESTS)('node-saml accepts the response to a $label AuthnRequest', async (req) => {
    const sp = spFor(c, req.signed ? spSigning(lab, ALG_URIS[c.alg].short) : {});
    const res = await signIn(new UserAgent(), sp, { binding: req.binding, relayState: 'matrix-state' });
    expect(res.loginShown).toBe(true);
    expect(res.action).toBe(c.acs);
    expect(res.relayState).toBe('matrix-state');

    // Where the signatures are is what the mode says (reference §1.4 "Signature placement").
    const doc = parseXml(res.xml);
    expect(elems(doc, '/samlp:Response/ds:Signature')).toHaveLength(c.mode === 'AssertionOnly' ? 0 : 1);
    expect(elems(doc, '/samlp:Response/saml:Assertion')).toHaveLength(c.encrypt ? 0 : 1);
    expect(elems(doc, '/samlp:Response/saml:EncryptedAssertion')).toHaveLength(c.encrypt ? 1 : 0);
    if (!c.encrypt) expect(elems(doc, '/samlp:Response/saml:Assertion/ds:Signature')).toHaveLength(c.mode === 'MessageOnly' ? 0 : 1);
    for (const sig of elems(doc, '//ds:Signature')) {
      expect(elems(sig, 'ds:SignedInfo/ds:SignatureMethod')[0]!.getAttribute('Algorithm')).toBe(ALG_URIS[c.alg].signature);
      expect(elems(sig, 'ds:SignedInfo/ds:Reference/ds:DigestMethod')[0]!.getAttribute('Algorithm')).toBe(ALG_URIS[c.alg].digest);
    }

    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.issuer).toBe(lab.state.adfs!.identifier);
    expect(profile?.nameID).toBe('agent1@lab.example');
    expect(profile?.nameIDFormat).toBe(NAMEID.emailAddress);
    const attributes = profile?.attributes as Record<string, unknown> | undefined;
    expect(attributes?.[CLAIM.upn]).toBe('agent1@lab.example');
    expect(attributes?.[CLAIM.group]).toEqual(['Agents', 'Team Sales']);
    expect(profile?.sessionIndex).toMatch(/^_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('each mode signs only what it says', () => {
  const cases = COMBOS.filter((c) => c.alg === 'rsa-sha256' && c.mode !== 'MessageAndAssertion');
  it.each(cases)('node-saml demanding the signature $mode leaves out rejects it (encryptClaims=$encrypt)', async (c) => {
    const res = await signIn(new UserAgent(), spFor(c, { validateInResponseTo: ValidateInResponseTo.never }));
    const demanding = spFor(c, {
      validateInResponseTo: ValidateInResponseTo.never,
      ...(c.mode === 'AssertionOnly'
        ? { wantAuthnResponseSigned: true }
        : { wantAssertionsSigned: true, wantAuthnResponseSigned: false }),
    });
    const expected =
      c.mode === 'AssertionOnly' ? 'Invalid document signature' : c.encrypt ? 'Invalid signature from encrypted assertion' : 'Invalid signature';
    await expect(demanding.validatePostResponseAsync({ SAMLResponse: res.value })).rejects.toThrow(new RegExp(`^${expected}$`));
  });
});

describeWithTool('xmlsec1', 'xmlsec1 verifies every signature of every mode', () => {
  it.each(COMBOS)('SamlResponseSignature=$mode, $alg, encryptClaims=$encrypt', async (c) => {
    const res = await signIn(new UserAgent(), spFor(c, { validateInResponseTo: ValidateInResponseTo.never }));
    const adfsCert = lab.state.pki.systems.adfs.signing.certPem;
    const otherCert = lab.state.pki.systems['sample-sp'].signing.certPem;
    const messageSigned = c.mode !== 'AssertionOnly';
    const assertionSigned = c.mode !== 'MessageOnly';

    if (messageSigned) {
      expect(xmlsec1Verify(res.xml, adfsCert, { nodeXpath: MESSAGE_SIGNATURE_XPATH }).ok).toBe(true);
      expect(xmlsec1Verify(res.xml, otherCert, { nodeXpath: MESSAGE_SIGNATURE_XPATH }).ok).toBe(false);
    } else {
      expect(elems(parseXml(res.xml), '/samlp:Response/ds:Signature')).toHaveLength(0);
    }

    // AD FS signs the assertion, then encrypts it (reference §1.5): decrypt first, then verify.
    const withAssertion = c.encrypt ? xmlsec1Decrypt(res.xml, lab.state.pki.systems['sample-sp'].encryption.keyPem) : res.xml;
    const assertion = elems(parseXml(withAssertion), '//saml:Assertion');
    expect(assertion).toHaveLength(1);
    if (assertionSigned) {
      expect(xmlsec1Verify(withAssertion, adfsCert, { nodeXpath: ASSERTION_SIGNATURE_XPATH }).ok).toBe(true);
      expect(xmlsec1Verify(withAssertion, otherCert, { nodeXpath: ASSERTION_SIGNATURE_XPATH }).ok).toBe(false);
    } else {
      expect(elems(assertion[0]!, 'ds:Signature')).toHaveLength(0);
    }
  });
});
