import { IdpError } from '../shared/errors.js';
import type { AdfsContext } from './context.js';
import { STATUS } from './saml-constants.js';

/**
 * Replay and freshness of an inbound request (reference §4.1 #7): an ID seen before within the
 * message delivery window is refused, and so is an IssueInstant further than that window from
 * the lab's clock (saml-core §1.3.4: IDs must be unique; AD FS `SamlMessageDeliveryWindow`).
 */
export function checkRequestFreshness(ctx: AdfsContext, rpName: string, id: string, issueInstant: string): void {
  const windowMs = ctx.config.messageDeliveryWindowMinutes * 60_000;
  const at = Date.parse(issueInstant);
  if (Number.isNaN(at) || Math.abs(ctx.clock.now() - at) > windowMs) {
    throw new IdpError('ERR_SAML_REQUEST_EXPIRED', `The request's IssueInstant ${issueInstant} is outside the message delivery window.`, {
      details: { samlStatus: { top: STATUS.Requester, second: STATUS.RequestDenied } },
    });
  }
  if (ctx.replay.seen(`${rpName}\u0000${id}`)) {
    throw new IdpError('ERR_SAML_REQUEST_REPLAYED', `The request ID '${id}' was already used.`, {
      details: { samlStatus: { top: STATUS.Requester, second: STATUS.RequestDenied } },
    });
  }
}

/**
 * saml-bindings §3.4.5.2 / §3.5.5.2: a Destination, when present, must be the endpoint that
 * received the message. Compared without regard to a trailing slash (AD FS answers on both).
 */
export function checkDestination(ctx: AdfsContext, destination: string | undefined): void {
  if (destination === undefined) return;
  const norm = (u: string) => u.replace(/\/+$/, '').toLowerCase();
  if (norm(destination) !== norm(ctx.urls.ls)) {
    throw new IdpError('ERR_SAML_DESTINATION_MISMATCH', `The request's Destination '${destination}' is not ${ctx.urls.ls}.`);
  }
}

/**
 * saml-core §4.1.3 / §3.2.2.2: a request whose Version is not "2.0" is answered with the top-level
 * status VersionMismatch (the schema lets any string through, so this must be checked here).
 * Without it a Version="1.1" AuthnRequest was signed in as if it were SAML 2.0.
 */
export function checkVersion(version: string): void {
  if (version !== '2.0') {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', `The request's Version '${version}' is not 2.0.`, {
      details: { samlStatus: { top: STATUS.VersionMismatch } },
    });
  }
}
