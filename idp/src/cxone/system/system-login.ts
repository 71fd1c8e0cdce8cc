import express, { type Response, type Router } from 'express';
import type { CxoneContext } from '../context.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { handleChangePasswordStep } from './change-password-step.js';
import { handleMfaEnrolStep, handleMfaStep } from './mfa-step.js';
import { handlePasswordStep } from './password-step.js';
import { sendPasswordPage } from './step-pages.js';

/**
 * The System authenticator's sign-in (reference B.1, flow F6): after the username page, the
 * password page; then, as the policy asks, a new password (expired, reset by an admin, or not
 * compliant with the current rules) and a one-time code (HOTP or TOTP, enrolled on first use).
 * Each step posts the transaction id and is refused unless the transaction is at that step.
 */
export function showPasswordStep(_ctx: CxoneContext, res: Response, tx: LoginTransaction, user: CxoneUser, authenticator: Authenticator): void {
  sendPasswordPage(res, tx, user, authenticator);
}

export function systemLoginRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  r.post('/login/password', (req, res) => handlePasswordStep(ctx, req, res));
  r.post('/login/change-password', (req, res) => handleChangePasswordStep(ctx, req, res));
  r.post('/login/mfa-enroll', (req, res) => handleMfaEnrolStep(ctx, req, res));
  r.post('/login/mfa', (req, res) => handleMfaStep(ctx, req, res));
  return r;
}
