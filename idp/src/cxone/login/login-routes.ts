import express, { type Request, type Router } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { renderHomePage } from '../pages/home-page.js';
import { renderUsernamePage } from '../pages/username-page.js';
import { startOidcLogin } from '../oidc-rp/start-login.js';
import { startSamlLogin } from '../saml/start-login.js';
import { showPasswordStep } from '../system/system-login.js';

function field(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/**
 * CXone's sign-in entry (seed 002 step 6: "after entering the username, the user is sent to the
 * external IdP if needed"): `/login` asks for the username, then the user's login authenticator
 * takes over — the password page (System), an AuthnRequest (SAML) or an authorization request (OIDC).
 */
export function loginRouter(ctx: CxoneContext): Router {
  const r = express.Router();

  r.get('/', (req, res) => {
    const session = ctx.sessions.current(req);
    const user = session ? ctx.store.users.get(session.userId) : undefined;
    if (!session || !user) {
      res.redirect(302, '/login');
      return;
    }
    const a = ctx.store.authenticators.get(session.authenticatorId);
    res.set('Cache-Control', 'no-store').type('html').send(renderHomePage({ user, authenticatorName: a?.name ?? '(deleted)', amr: session.amr }));
  });

  r.get('/login', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const live = typeof q['tx'] === 'string' ? ctx.logins.peek(q['tx']) : undefined;
    const tx = live && live.step === 'username' ? live : ctx.logins.start(undefined);
    res.set('Cache-Control', 'no-store').type('html').send(renderUsernamePage({ tx: tx.id }));
  });

  r.post('/login', async (req, res) => {
    const tx = ctx.logins.at(field(req, 'tx'), 'username');
    const username = field(req, 'username').trim();
    const refuse = (code: 'ERR_CXONE_LOGIN_UNKNOWN_USER' | 'ERR_CXONE_LOGIN_USER_INACTIVE' | 'ERR_CXONE_AUTHENTICATOR_INACTIVE', message: string) => {
      ctx.log.info({ svc: 'cxone', event: 'login.refused', code, username }, message);
      res.status(code === 'ERR_CXONE_LOGIN_UNKNOWN_USER' ? 400 : 403).set('X-Idp-Harness-Error', code).set('Cache-Control', 'no-store');
      res.type('html').send(renderUsernamePage({ tx: tx.id, username, error: { code, message } }));
    };
    const user = username === '' ? undefined : ctx.store.userByUsername(username);
    if (!user) return refuse('ERR_CXONE_LOGIN_UNKNOWN_USER', 'Invalid username.');
    if (!user.active) return refuse('ERR_CXONE_LOGIN_USER_INACTIVE', 'This user is not active. Ask your administrator to activate it.');
    const authenticator = ctx.store.authenticators.get(user.loginAuthenticatorId);
    if (!authenticator?.active) return refuse('ERR_CXONE_AUTHENTICATOR_INACTIVE', "The user's login authenticator is not active.");
    tx.userId = user.id;
    switch (authenticator.type) {
      case 'System':
        tx.step = 'password';
        showPasswordStep(ctx, res, tx, user, authenticator);
        return;
      case 'SAML':
        tx.step = 'external';
        startSamlLogin(ctx, res, tx, user, authenticator);
        return;
      case 'OIDC':
        tx.step = 'external';
        await startOidcLogin(ctx, res, tx, user, authenticator);
        return;
      default:
        throw new IdpError('ERR_INTERNAL', 'unknown authenticator type', { status: 500 });
    }
  });

  return r;
}
