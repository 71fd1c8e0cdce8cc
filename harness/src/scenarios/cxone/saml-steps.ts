import { signInAtAdfs, type AutoPost } from '../../clients/cxone/adfs-pages.js';
import { enterUsername, redirectTarget } from '../../clients/cxone/cxone-sign-in.js';
import type { UserAgent } from '../../clients/user-agent.js';
import { expectThat } from '../scenario.js';
import { AGENT1, LAB_ADFS } from './fixtures.js';
import type { CxoneLab } from './kit.js';

/**
 * The browser legs of a CXone SAML sign-in through the lab AD FS (flow F4), shared by the SAML
 * scenarios. CXone's generated values are read from the admin API, as an admin would copy them
 * to the IdP (seed 002 steps 2–3), never computed here.
 */
export interface SamlAuthenticator {
  id: string;
  endpointUrl: string;
  entityId: string;
  acsUrl: string;
  ficam: boolean;
}

export async function labAdfsAuthenticator(lab: CxoneLab): Promise<SamlAuthenticator> {
  const a = await lab.admin.authenticators.get(LAB_ADFS.name);
  expectThat(a['type'] === 'SAML' && a['active'] === true, `"${LAB_ADFS.name}" is not an active SAML authenticator`);
  const s = a['saml'] as Record<string, unknown>;
  return { id: a['id'] as string, endpointUrl: s['endpointUrl'] as string, entityId: s['entityId'] as string, acsUrl: s['acsUrl'] as string, ficam: s['ficam'] === true };
}

/**
 * SP-initiated: the username at CXone (`start` is `/login` or an application's authorization
 * request), CXone's redirect with the AuthnRequest to the authenticator's endpoint, the AD FS
 * forms sign-in; returns the auto-POST AD FS would make, checked to go to CXone's ACS.
 */
export async function spInitiatedAtAdfs(lab: CxoneLab, ua: UserAgent, a: SamlAuthenticator, start = `${lab.cxone}/login`, user: { username: string; idpUser: string } = AGENT1): Promise<AutoPost> {
  const idp = await lab.idpUser(user.idpUser);
  const toIdp = redirectTarget(await enterUsername(ua, start, user.username));
  expectThat(`${toIdp.origin}${toIdp.pathname}` === new URL(a.endpointUrl).href.replace(/\?.*$/, ''), `CXone sent the browser to ${toIdp.origin}${toIdp.pathname}, not the endpoint URL ${a.endpointUrl}`);
  expectThat(toIdp.searchParams.has('SAMLRequest'), 'CXone\'s redirect carries no SAMLRequest (HTTP-Redirect binding)');
  const post = await signInAtAdfs(ua, toIdp.toString(), idp.username, idp.password);
  expectThat(post.action === a.acsUrl, `AD FS posts to ${post.action}, not CXone's ACS ${a.acsUrl}`);
  return post;
}
