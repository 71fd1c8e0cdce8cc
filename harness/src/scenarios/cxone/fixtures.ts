/**
 * The fixture objects the CXone scenarios start from (fixtures/cxone/*.json, fixtures/users.json,
 * fixtures/adfs/relying-parties.json, fixtures/oidc/clients.json). A lab seeded from other
 * fixtures has other names: these scenarios then fail on the first step that looks one up, with
 * the admin API's `ERR_CXONE_NOT_FOUND`.
 */

/** "Lab AD FS": SAML 2.0 with the lab's AD FS, whose trust for it is already in place. */
export const LAB_ADFS = { name: 'Lab AD FS' } as const;

/** "Lab OIDC": OpenID Connect with the lab OP's default issuer, client `cxone-lab`, client_secret_basic, FICAM off. */
export const LAB_OIDC = { name: 'Lab OIDC', clientId: 'cxone-lab' } as const;

/** The tenant's built-in System authenticator (CXone's default policy: 6 failures lock for 30 min). */
export const SYSTEM_DEFAULT = 'System Default';

/** A System Default user (administrator role). */
export const SAM = { username: 'sam.system@lab.example', password: 'Lab-Entry-42' } as const;

/** agent1 at CXone (Lab AD FS) and its AD FS user (its password is read from the lab's users). */
export const AGENT1 = { username: 'agent1@lab.example', idpUser: 'agent1' } as const;

/** agent2 at CXone (Lab OIDC, linked by `claim(email):`) and its lab OP user. */
export const AGENT2 = { username: 'agent2@lab.example', email: 'agent2@lab.example', idpUser: 'agent2' } as const;

/** The public front-end application of CXone's OP: PKCE S256 required, no secret. */
export const SAMPLE_SPA = { clientId: 'cxone-sample-spa', redirectUri: 'http://localhost:8080/cxone-spa/callback' } as const;

/** The FICAM / iGov assurance level the FICAM OIDC scenario asks for (the lab OP's FICAM issuer returns it). */
export const AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';
