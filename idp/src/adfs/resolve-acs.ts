import { IdpError } from '../shared/errors.js';
import type { AuthnRequestInfo } from './inbound/read-messages.js';
import type { RelyingParty } from './relying-parties.js';
import { BINDING } from './saml-constants.js';

/**
 * Where the response may go (reference §1.8 rule 2; saml-profiles §4.1.4.1: "the identity
 * provider MUST have some means to establish that this location is in fact controlled by the
 * service provider"): AssertionConsumerServiceURL must equal a registered ACS exactly, an
 * AssertionConsumerServiceIndex must name a registered one, and with neither the RP's default
 * (isDefault, else the lowest index) is used. A URL from the request is never echoed.
 */
export function resolveAcs(rp: RelyingParty, req: Pick<AuthnRequestInfo, 'acsUrl' | 'acsIndex' | 'protocolBinding'>): string {
  const acs = rp.endpoints.filter((e) => e.kind === 'acs');
  if (req.protocolBinding !== undefined && req.protocolBinding !== BINDING.POST) {
    throw unregistered(rp, `ProtocolBinding ${req.protocolBinding} is not supported; AD FS answers over HTTP-POST`);
  }
  if (req.acsUrl !== undefined) {
    const hit = acs.find((e) => e.url === req.acsUrl);
    if (!hit) throw unregistered(rp, `The SAML request contained an invalid AssertionConsumerServiceUrl '${req.acsUrl}'.`);
    return hit.url;
  }
  if (req.acsIndex !== undefined) {
    const hit = acs.find((e) => e.index === req.acsIndex);
    if (!hit) throw unregistered(rp, `The SAML request contained an invalid AssertionConsumerServiceIndex '${req.acsIndex}'.`);
    return hit.url;
  }
  return defaultAcs(rp);
}

/** The RP's default ACS: the one marked isDefault, else the lowest index (saml-metadata §2.2.3). */
export function defaultAcs(rp: RelyingParty): string {
  const acs = rp.endpoints.filter((e) => e.kind === 'acs');
  const hit = acs.find((e) => e.isDefault) ?? [...acs].sort((a, b) => a.index - b.index)[0];
  if (!hit) throw unregistered(rp, `The relying party trust '${rp.name}' has no SAML assertion consumer endpoint.`);
  return hit.url;
}

function unregistered(rp: RelyingParty, message: string): IdpError {
  return new IdpError('ERR_SAML_ACS_UNREGISTERED', message, { details: { relyingParty: rp.name } });
}
