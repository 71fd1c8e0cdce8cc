import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCert, samlMetadata, URIS } from './validate-documents.js';

/**
 * Writes the SAML metadata fixtures of fixtures/validate/ (the OIDC ones are hand-written JSON).
 * Run once; see fixtures/validate/README.md for the command. Certificates get fixed dates far
 * from now (valid 2025–2125, expired 2020–2021, not valid before 2120) so the fixtures keep their
 * meaning for a century; keys are fresh on every run, so a rerun changes every byte.
 */
export function writeValidateFixtures(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const long = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2125-01-01T00:00:00Z') };
  const good = makeCert(long);
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text.endsWith('\n') ? text : text + '\n');
  const http = 'http://idp.partner.example/adfs/ls/';

  write('saml-metadata-good.xml', samlMetadata({ cert: good }));
  write('saml-metadata-unsigned.xml', samlMetadata({ cert: good, sign: false }));
  write('saml-metadata-expired-cert.xml', samlMetadata({ cert: makeCert({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }) }));
  write('saml-metadata-not-yet-valid-cert.xml', samlMetadata({ cert: makeCert({ notBefore: new Date('2120-01-01T00:00:00Z'), notAfter: new Date('2125-01-01T00:00:00Z') }) }));
  write('saml-metadata-sha1-only.xml', samlMetadata({ cert: makeCert({ ...long, hash: 'sha1' }), sign: 'rsa-sha1' }));
  write('saml-metadata-rsa-1024.xml', samlMetadata({ cert: makeCert({ ...long, bits: 1024 }) }));
  write('saml-metadata-http-endpoints.xml', samlMetadata({ cert: good, sso: [{ binding: URIS.redirect, location: http }, { binding: URIS.post, location: http }], slo: [{ binding: URIS.redirect, location: http }] }));
  write('saml-metadata-no-redirect-binding.xml', samlMetadata({ cert: good, sso: [{ binding: URIS.post, location: 'https://idp.partner.example/adfs/ls/' }] }));
  write('saml-metadata-no-slo.xml', samlMetadata({ cert: good, slo: [] }));
  write('saml-metadata-want-authn-requests-signed.xml', samlMetadata({ cert: good, wantAuthnRequestsSigned: true }));
  write('saml-metadata-saml11-protocol.xml', samlMetadata({ cert: good, protocols: [URIS.saml2, URIS.saml11] }));
  // Changed after signing: the SSO location points elsewhere, the signature no longer verifies.
  write('saml-metadata-tampered-signature.xml', samlMetadata({ cert: good }).replace('SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.partner.example/adfs/ls/"', 'SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://evil.example/adfs/ls/"'));
}

// Only when run as the bundled script (README command), never when imported.
if (/write-validate-fixtures\.c?js$/.test(process.argv[1] ?? '')) writeValidateFixtures(process.argv[2] ?? join('fixtures', 'validate'));
