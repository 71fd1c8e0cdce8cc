import { escapeAttr } from '../../../../idp/src/shared/xml/escape.js';
import type { LabTarget } from '../lab-target.js';
import { fetchDocument, parseJson } from './fetch-document.js';

/** A login authenticator as CXone's admin API presents it (the fields used here). */
interface PresentedAuthenticator {
  id: string;
  name: string;
  type: 'System' | 'SAML' | 'OIDC';
  saml?: { entityId: string; acsUrl: string; ficam: boolean };
  oidc?: {
    clientId: string;
    clientAuthMethod: string;
    useEncryption: boolean;
    scope?: string;
    loginRedirectUri: string;
    logoutRedirectUri: string;
    publicKeysUri: string;
  };
}

/**
 * What to register at the IdP for a CXone login authenticator. CXone itself publishes no SP
 * metadata (it shows the generated values on the authenticator's page, seed 002), so the lab
 * builds it from what the admin API shows: for SAML, SP metadata XML with the entity ID and the
 * HTTP-POST ACS; for OIDC, RFC 7591 client metadata JSON (redirect URIs, auth method, public
 * keys). A System authenticator has nothing to register: refused.
 */
export async function authenticatorMetadata(target: LabTarget, nameOrId: string): Promise<string> {
  const base = target.url('cxone');
  const { username, password } = target.config.cxone.admin;
  const doc = await fetchDocument('CXone admin API', `${base}/api/v1/login-authenticators`, target.ca, {
    authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    accept: 'application/json',
  });
  const list = (parseJson(doc)['loginAuthenticators'] ?? []) as PresentedAuthenticator[];
  const wanted = nameOrId.toLowerCase();
  const a = list.find((x) => x.id.toLowerCase() === wanted) ?? list.find((x) => x.name.toLowerCase() === wanted);
  if (!a) throw new Error(`no CXone login authenticator '${nameOrId}' (there are: ${list.map((x) => `'${x.name}'`).join(', ') || 'none'})`);
  if (a.saml) return samlSpMetadata(a, a.saml);
  if (a.oidc) return JSON.stringify(oidcClientMetadata(a.oidc), null, 2) + '\n';
  throw new Error(`'${a.name}' is a ${a.type} authenticator: it signs users in itself and has no metadata to register at an IdP`);
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/**
 * SAML 2.0 metadata (saml-metadata §2.4.4) of the authenticator as an SP. AuthnRequestsSigned
 * false: CXone's requests are unsigned (docs/cxone.md); WantAssertionsSigned false: a signed
 * Response is enough (rule 8: "at least one signature"). No KeyDescriptor: CXone shows no SP
 * certificate. No NameIDFormat: CXone sends no NameIDPolicy, the IdP's NameID rule decides.
 */
function samlSpMetadata(a: PresentedAuthenticator, saml: NonNullable<PresentedAuthenticator['saml']>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<!-- Built by idp-harness from the CXone SAML login authenticator "${a.name.replace(/--/g, '- -')}" (${a.id}). CXone publishes no SP metadata; these are the entity ID and ACS URL it shows.${saml.ficam ? ' FICAM is on: send exactly one AuthnContextClassRef.' : ''} -->\n` +
    `<md:EntityDescriptor xmlns:md="${MD}" entityID="${escapeAttr(saml.entityId)}">\n` +
    `  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n` +
    `    <md:AssertionConsumerService Binding="${POST}" Location="${escapeAttr(saml.acsUrl)}" index="0" isDefault="true"/>\n` +
    `  </md:SPSSODescriptor>\n` +
    `</md:EntityDescriptor>\n`
  );
}

/** RFC 7591 §2 client metadata: what to register for CXone at the OpenID provider. */
function oidcClientMetadata(o: NonNullable<PresentedAuthenticator['oidc']>): Record<string, unknown> {
  const keys = o.clientAuthMethod === 'private_key_jwt' || o.useEncryption;
  return {
    client_id: o.clientId,
    redirect_uris: [o.loginRedirectUri],
    post_logout_redirect_uris: [o.logoutRedirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: o.clientAuthMethod,
    ...(keys ? { jwks_uri: o.publicKeysUri } : {}),
    ...(o.scope ? { scope: o.scope } : {}),
  };
}
