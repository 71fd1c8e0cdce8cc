import type { Response } from 'express';
import QRCode from 'qrcode';
import type { CxoneContext } from '../context.js';
import { personalDataOf } from '../context.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { renderChangePasswordPage, type ChangeReason } from '../pages/change-password-page.js';
import { renderMfaEnrolPage, renderMfaPage } from '../pages/mfa-pages.js';
import { renderPasswordPage } from '../pages/password-page.js';
import { otpauthUri } from './otp.js';
import { describeRules } from './password-rules.js';
import type { SystemStep } from './system-step.js';

export interface StepError {
  code: string;
  message: string;
}

/**
 * Sends one page of the system sign-in. A page shown again after a refusal carries the refusal's
 * status and its stable code in `X-Idp-Harness-Error`, like every CXone error. Password pages may
 * not be framed (clickjacking) nor cached.
 */
function send(res: Response, html: string, error?: { status: number; code: string }): void {
  res.set('Cache-Control', 'no-store').set('X-Frame-Options', 'DENY').set('Content-Security-Policy', "frame-ancestors 'none'");
  if (error) res.status(error.status).set('X-Idp-Harness-Error', error.code);
  res.type('html').send(html);
}

export function sendPasswordPage(res: Response, tx: LoginTransaction, user: CxoneUser, a: Authenticator, error?: StepError & { status: number }): void {
  const rules = describeRules(a.system!.password);
  send(res, renderPasswordPage({ tx: tx.id, username: user.username, authenticatorName: a.name, rules, ...(error && { error }) }), error);
}

export function sendChangePasswordPage(ctx: CxoneContext, res: Response, s: SystemStep, reason: ChangeReason, errors: StepError[] = [], status = 400): void {
  const policy = s.settings.password;
  const who = personalDataOf(ctx, s.user);
  const html = renderChangePasswordPage({
    tx: s.tx.id,
    username: s.user.username,
    reason,
    rules: describeRules(policy),
    policy,
    personal: [who.email, who.username, who.firstName, who.lastName, who.systemName],
    errors,
  });
  send(res, html, errors.length > 0 ? { status, code: errors[0]!.code } : undefined);
}

/** The enrolment page: the pending secret as a QR image (data: URL, no request leaves the page), as text and as its URI. */
export async function sendMfaEnrolPage(ctx: CxoneContext, res: Response, s: SystemStep, error?: StepError & { status: number }): Promise<void> {
  const type = s.settings.mfa.type;
  const secret = s.tx.pendingMfaSecret!;
  const uri = otpauthUri(ctx.config.otp, { type, secret, issuer: ctx.tenant.systemName, account: s.user.username, counter: 0 });
  const qrDataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 200 });
  send(res, renderMfaEnrolPage({ tx: s.tx.id, username: s.user.username, type, secret, uri, qrDataUrl, digits: ctx.config.otp.digits, ...(error && { error }) }), error);
}

export function sendMfaPage(ctx: CxoneContext, res: Response, s: SystemStep, mode: 'verify' | 'resync', error?: StepError & { status: number }): void {
  const type = s.user.mfa?.type ?? s.settings.mfa.type;
  send(res, renderMfaPage({ tx: s.tx.id, username: s.user.username, type, mode, digits: ctx.config.otp.digits, ...(error && { error }) }), error);
}
