import { transportVerdict } from '../https-rule.js';
import type { CheckOptions } from '../options.js';
import type { Findings } from '../report.js';
import type { IdpMetadata, SamlEndpoint } from './read-metadata.js';

export const BINDING = {
  Redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  POST: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

const SHORT: Record<string, string> = { [BINDING.Redirect]: 'HTTP-Redirect', [BINDING.POST]: 'HTTP-POST' };
const short = (b: string) => SHORT[b] ?? b;

/**
 * SingleSignOnService and SingleLogoutService: present, over HTTPS, and with the bindings the SP
 * sends its messages by. CXone sends its AuthnRequest by HTTP-Redirect (reference B.2.1, the lab:
 * idp/src/cxone/saml/start-login.ts); Cisco IdS by HTTP-POST (reference A.1.5, the lab reads the
 * HTTP-POST SingleSignOnService from uploaded metadata, idp/src/ids/saml/idp-trust.ts).
 */
export function checkEndpoints(md: IdpMetadata, findings: Findings, o: CheckOptions): void {
  if (md.sso.length === 0) {
    findings.fail('saml.sso.present', 'No SingleSignOnService: SPs have nowhere to send users to sign in.', { spec: 'saml-metadata §2.4.3' });
  } else {
    findings.pass('saml.sso.present', `${md.sso.length} SingleSignOnService endpoint(s).`, { spec: 'saml-metadata §2.4.3' });
  }
  for (const [kind, list] of [['SingleSignOnService', md.sso], ['SingleLogoutService', md.slo]] as const) {
    for (const e of list) checkTransport(kind, e, findings);
  }
  if (md.sso.length === 0) return;

  const has = (b: string) => md.sso.some((e) => e.binding === b);
  if (!has(BINDING.Redirect) && !has(BINDING.POST)) {
    findings.fail('saml.sso.bindings', `No SingleSignOnService uses HTTP-Redirect or HTTP-POST (found: ${[...new Set(md.sso.map((e) => short(e.binding)))].join(', ')}); browser SSO needs one of them.`, {
      spec: 'saml-profiles §4.1',
    });
  } else {
    findings.pass('saml.sso.bindings', 'SingleSignOnService over a browser binding (HTTP-Redirect or HTTP-POST).', { spec: 'saml-profiles §4.1' });
  }
  if (has(BINDING.Redirect)) {
    findings.pass('saml.sso.redirect-binding', 'HTTP-Redirect SingleSignOnService present (what CXone sends its AuthnRequest to).', { spec: 'saml-bindings §3.4' });
  } else {
    findings.add('saml.sso.redirect-binding', o.target === 'cxone' ? 'fail' : 'warn', 'No HTTP-Redirect SingleSignOnService: CXone sends its SP-initiated AuthnRequest by HTTP-Redirect, so CXone sign-ins cannot start. Enable the Redirect binding at the IdP.', {
      spec: 'saml-bindings §3.4; reference B.2.1',
    });
  }
  if (has(BINDING.POST)) {
    findings.pass('saml.sso.post-binding', 'HTTP-POST SingleSignOnService present (what Cisco IdS posts its AuthnRequest to).', { spec: 'saml-bindings §3.5' });
  } else if (o.target === 'cxone') {
    findings.pass('saml.sso.post-binding', 'No HTTP-POST SingleSignOnService; CXone does not need one.', { spec: 'saml-bindings §3.5' });
  } else {
    findings.add('saml.sso.post-binding', o.target === 'ids' ? 'fail' : 'warn', 'No HTTP-POST SingleSignOnService: Cisco IdS sends its AuthnRequest by HTTP-POST. Enable the POST binding at the IdP.', {
      spec: 'saml-bindings §3.5; reference A.1.5',
    });
  }

  if (md.slo.length === 0) {
    findings.warn('saml.slo.present', 'No SingleLogoutService: signing out of CXone or Finesse will not end the IdP session, and the next sign-in will not ask for a password.', { spec: 'saml-profiles §4.4' });
  } else {
    findings.pass('saml.slo.present', `SingleLogoutService over ${[...new Set(md.slo.map((e) => short(e.binding)))].join(', ')}.`, { spec: 'saml-profiles §4.4' });
  }
}

function checkTransport(kind: string, e: SamlEndpoint, findings: Findings): void {
  const subject = `${kind} ${short(e.binding)} ${e.location}`;
  const v = transportVerdict(e.location);
  const message = v.level === 'pass' ? 'HTTPS.' : `${v.why}.`;
  findings.add('saml.endpoint.https', v.level, message, { subject, spec: 'saml-bindings §3.4.5.2, §3.5.5.2' });
}
