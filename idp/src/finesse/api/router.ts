import express, { type Request, type Response, type Router } from 'express';
import { authenticate } from '../authenticate.js';
import type { FinesseContext } from '../context.js';
import { findFinesseUser, usesSso } from '../finesse-users.js';
import { requireDialogAccess, requireSelf, requireSelfOrSupervisor, resolveUser } from './access.js';
import { changeState } from './change-state.js';
import { actOnDialog } from './dialog-action.js';
import { dialogsXml, dialogXml } from './dialog-xml.js';
import { finesseError, finesseErrorHandler } from './error-handler.js';
import { makeCall } from './make-call.js';
import { codesFor } from './reason-codes.js';
import { reasonCodesXml } from './reason-codes-xml.js';
import { systemInfoXml } from './system-info-xml.js';
import { teamNamesOf } from './teams.js';
import { userXml } from './user-xml.js';
import { MAX_BODY_BYTES, readXmlBody } from './xml-body.js';
import { document, leaf, node } from './xml-writer.js';

/**
 * The Finesse REST API for a custom desktop (reference A.2.3–A.2.5), mounted at `/finesse/api`.
 * Every resource but UserAuthMode needs credentials (authenticate.ts). Answers are Finesse XML;
 * accepted changes are 202 with an empty body (the result travels as a notification). Errors of
 * every kind go to the one `<ApiErrors>` handler.
 */
export function finesseApiRouter(ctx: FinesseContext): Router {
  const rt = ctx.runtime;
  const r = express.Router();
  // Any body, any type, read as text up to the cap; the Content-Type rule is applied per request
  // (xml-body.ts) so that a wrong one gets Finesse's error rather than an empty body.
  r.use(express.text({ type: () => true, limit: MAX_BODY_BYTES }));

  r.route('/SystemInfo')
    .get((req, res) => {
      authenticate(ctx, req);
      sendXml(res, systemInfoXml(ctx));
    })
    .all(notImplemented);

  // [INF] The guide names "Get User Authentication Mode" but its URI and shape were not found
  // (reference A.1.2). A desktop asks it before it knows how to sign in, so it is unauthenticated.
  r.route('/UserAuthMode')
    .get((req, res) => {
      const username = req.query['username'];
      if (typeof username !== 'string' || username === '') {
        throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no username parameter.', 'username');
      }
      const user = findFinesseUser(ctx.users, username);
      if (!user) throw finesseError('ERR_FINESSE_USER_NOT_FOUND', `User '${username}' not found.`, username);
      const mode = usesSso(ctx.config.systemAuthMode, user) ? 'SSO' : 'NON_SSO';
      sendXml(res, document(node('UserAuthMode', [leaf('authMode', mode), leaf('loginId', user.finesse.loginId), leaf('loginName', user.username)])));
    })
    .all(notImplemented);

  r.route('/User/:id')
    .get((req, res) => {
      const principal = authenticate(ctx, req);
      const user = resolveUser(ctx, param(req, 'id'), { getByName: true });
      requireSelfOrSupervisor(principal, user);
      sendXml(res, document(userXml(rt, user)));
    })
    .put((req, res) => {
      const principal = authenticate(ctx, req);
      const user = resolveUser(ctx, param(req, 'id'));
      const actor = requireSelfOrSupervisor(principal, user);
      changeState(rt, actor, user, readXmlBody(req, 'User'), requestId(req), principal.user);
      res.status(202).end();
    })
    .all(notImplemented);

  r.route('/User/:id/Dialogs')
    .get((req, res) => {
      const principal = authenticate(ctx, req);
      const user = resolveUser(ctx, param(req, 'id'));
      requireSelfOrSupervisor(principal, user);
      sendXml(res, document(dialogsXml(rt.dialogsOf(user.finesse.loginId))));
    })
    .post((req, res) => {
      const principal = authenticate(ctx, req);
      const user = resolveUser(ctx, param(req, 'id'));
      requireSelf(principal, user);
      makeCall(rt, user, readXmlBody(req, 'Dialog'), requestId(req));
      res.status(202).end();
    })
    .all(notImplemented);

  r.route('/User/:id/ReasonCodes')
    .get((req, res) => {
      const principal = authenticate(ctx, req);
      const user = resolveUser(ctx, param(req, 'id'));
      requireSelfOrSupervisor(principal, user);
      const category = req.query['category'];
      if (category === undefined || category === '') {
        throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no category parameter.', 'category');
      }
      if (category !== 'NOT_READY' && category !== 'LOGOUT' && category !== 'ALL') {
        throw finesseError('ERR_FINESSE_INVALID_INPUT', 'category must be NOT_READY, LOGOUT or ALL.', 'category');
      }
      const teams = teamNamesOf(user);
      const codes = category === 'ALL' ? [...codesFor(rt.reasonCodes, 'NOT_READY', teams), ...codesFor(rt.reasonCodes, 'LOGOUT', teams)] : codesFor(rt.reasonCodes, category, teams);
      sendXml(res, document(reasonCodesXml(category, codes)));
    })
    .all(notImplemented);

  r.route('/Dialog/:dialogId')
    .get((req, res) => {
      const principal = authenticate(ctx, req);
      const d = requireDialog(ctx, param(req, 'dialogId'));
      requireDialogAccess(rt, principal, d);
      sendXml(res, document(dialogXml(d)));
    })
    .put((req, res) => {
      const principal = authenticate(ctx, req);
      const d = requireDialog(ctx, param(req, 'dialogId'));
      requireDialogAccess(rt, principal, d);
      actOnDialog(rt, principal, d, readXmlBody(req, 'Dialog'), requestId(req));
      res.status(202).end();
    })
    .all(notImplemented);

  r.use((req) => {
    throw finesseError('ERR_FINESSE_NOT_FOUND', `No resource at ${req.path}.`);
  });
  r.use(finesseErrorHandler(ctx));
  return r;
}

function sendXml(res: Response, xml: string): void {
  res.status(200).type('application/xml').set('Cache-Control', 'no-store').send(xml);
}

function param(req: Request, name: string): string {
  return String(req.params[name]);
}

/** The optional `requestId` header, echoed in the notifications of the change (reference A.2.4). */
function requestId(req: Request): string | undefined {
  return req.get('requestId');
}

function requireDialog(ctx: FinesseContext, id: string) {
  const d = ctx.runtime.dialog(id);
  if (!d) throw finesseError('ERR_FINESSE_DIALOG_NOT_FOUND', `Dialog '${id}' not found.`, id);
  return d;
}

function notImplemented(req: Request): never {
  throw finesseError('ERR_FINESSE_NOT_IMPLEMENTED', `${req.method} is not supported on ${req.baseUrl}${req.path}.`);
}
