import type { Request, Response } from 'express';
import { IdpError } from '../shared/errors.js';
import { checkRelayState } from './inbound/codec.js';
import type { AdfsContext } from './context.js';
import { h, layout } from './pages/html.js';
import { findByIdentifier } from './relying-parties.js';
import { defaultAcs } from './resolve-acs.js';
import { continueSignIn, withStatusResponses } from './sso.js';

/**
 * `/adfs/ls/IdpInitiatedSignOn.aspx` (reference §1.9): `loginToRp=<RP identifier>` posts an
 * unsolicited response to the RP's default ACS; the RPID form
 * `RelayState=URLENC("RPID=" + URLENC(rpid) + "&RelayState=" + URLENC(target))` (AD FS 2.0 RU2+,
 * `EnableRelayStateForIdpInitiatedSignOn`) also hands the RP an inner RelayState; with neither,
 * the "sign in to one of the following sites" picker. AD FS never redirects the browser to a
 * RelayState itself: it only passes it on.
 */
export function handleIdpInitiated(ctx: AdfsContext, req: Request, res: Response): void {
  const cfg = ctx.config.idpInitiatedSignOn;
  if (!cfg.enabled) {
    throw new IdpError('ERR_SAML_IDP_INITIATED_DISABLED', 'The IdP-initiated sign-on page is disabled (EnableIdpInitiatedSignonPage is false).', {
      status: 404,
    });
  }
  const q = req.query as Record<string, unknown>;
  const body = (req.body ?? {}) as Record<string, unknown>;
  let rpId = str(q['loginToRp']) ?? str(body['RelyingParty']);
  let relayState: string | undefined;
  const outer = str(q['RelayState']);
  if (outer !== undefined) {
    if (!cfg.relayState) {
      throw new IdpError('ERR_SAML_RELAY_STATE_INVALID', 'The SAML protocol parameter RelayState was not found or not valid (EnableRelayStateForIdpInitiatedSignOn is false).');
    }
    // Express has decoded the outer layer once; what is left is the inner query string.
    const inner = new URLSearchParams(outer);
    const rpid = inner.get('RPID');
    if (rpid === null || rpid === '') {
      throw new IdpError('ERR_SAML_RELAY_STATE_INVALID', "The SAML protocol parameter 'RelayState' was not found or not valid: it names no RPID.");
    }
    rpId = rpid;
    relayState = inner.get('RelayState') ?? undefined;
    if (relayState !== undefined) checkRelayState(relayState, ctx.config.limits.maxRelayStateBytes);
  }
  if (rpId === undefined) return renderPicker(ctx, res);
  const rp = findByIdentifier(ctx.relyingParties, rpId);
  if (!rp) throw new IdpError('ERR_SAML_UNKNOWN_RELYING_PARTY', `The requested relying party trust '${rpId}' is unspecified or unsupported.`);
  const target = { acsUrl: defaultAcs(rp), relayState };
  withStatusResponses(ctx, res, rp, target, () =>
    continueSignIn(ctx, req, res, rp, target, { requested: undefined, forceAuthn: false, isPassive: false, nameIdPolicyFormat: undefined, subjectNameId: undefined }),
  );
}

function renderPicker(ctx: AdfsContext, res: Response): void {
  const options = ctx.relyingParties
    .list()
    .filter((rp) => rp.enabled && rp.endpoints.some((e) => e.kind === 'acs'))
    .map((rp) => `<option value="${h(rp.identifiers[0]!)}">${h(rp.name)}</option>`)
    .join('');
  res
    .status(200)
    .type('html')
    .send(
      layout(
        'Sign In',
        ctx.config.displayName,
        `<form method="post" id="idpForm" action="${h(ctx.urls.idpInitiated)}">
<p>Sign in to one of the following sites:</p>
<select id="idp_RelyingPartyDropDownList" name="RelyingParty">${options}</select>
<button id="idp_SignInButton" class="submit" type="submit">Sign in</button>
</form>`,
      ),
    );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
