import type { Request, Response } from 'express';
import { h } from '../../http/html.js';
import { IdpError } from '../../shared/errors.js';
import type { FinesseContext } from '../context.js';
import { cookiesOf, setCookie } from './browser-session.js';

/**
 * `GET /desktop/sso/test` (Dev Guide 12.5(1) p.189–190, reference A.1.2): an HTML page about the
 * browser's SSO token that posts `{status, errorMessage}` to its opener or parent and sets the
 * `ssotest` cookie: "true" with a valid token; "NO TOKEN" without one; "AUTH_ERROR" when IdS no
 * longer accepts it (401 for both failures).
 */
export function handleSsoTest(ctx: FinesseContext, req: Request, res: Response): void {
  const session = ctx.ssoSessions.get(cookiesOf(req)['JSESSIONID'] ?? '');
  let result: { ok: boolean; error: string; detail: string };
  if (!session) {
    result = { ok: false, error: 'NO TOKEN', detail: 'This browser has no SSO token. Call /desktop/sso/token first.' };
  } else {
    try {
      if (!ctx.ids) throw new IdpError('ERR_FINESSE_SSO_DISABLED', 'The Identity Service is not running.');
      const rec = ctx.ids.tokens.validateAccess(session.accessToken);
      result = { ok: true, error: '', detail: `user ${rec.userId} (${rec.upn}); token expires ${new Date(rec.expiresAt).toISOString()}` };
    } catch (e) {
      if (!(e instanceof IdpError)) throw e;
      result = { ok: false, error: 'AUTH_ERROR', detail: `${e.code}: ${e.message}` };
    }
  }
  const secure = ctx.urls.base.startsWith('https:');
  setCookie(res, 'ssotest', result.ok ? 'true' : 'false', secure);
  const message = JSON.stringify({ status: result.ok ? 'true' : 'false', errorMessage: result.error });
  if (!result.ok) res.set('X-Idp-Harness-Error', 'ERR_FINESSE_UNAUTHORIZED');
  res
    .status(result.ok ? 200 : 401)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>SSO Test</title></head><body>` +
        `<h1 id="status">${result.ok ? 'SSO test succeeded' : 'SSO test failed: ' + h(result.error)}</h1><p id="detail">${h(result.detail)}</p>` +
        `<script>(function(){var m=${message.replace(/</g, '\\u003c')};var t=window.opener||(window.parent!==window?window.parent:null);if(t){t.postMessage(m,'*');}})();</script>` +
        `</body></html>`,
    );
}
