import express, { type Router } from 'express';
import { z } from 'zod';
import type { LabState } from '../lab.js';
import type { FinesseContext } from '../finesse/context.js';
import { findFinesseUser } from '../finesse/finesse-users.js';
import { CALL_VARIABLE_MAX, CALL_VARIABLE_NAME } from '../finesse/api/call-variables.js';
import { DIALABLE } from '../finesse/api/make-call.js';
import { dialogState, isoTime, type Dialog } from '../finesse/api/model.js';
import { hangUp, simulateCall } from '../finesse/api/simulate-call.js';
import { IdpError } from '../shared/errors.js';

const CallCommand = z.strictObject({
  /** The agent to ring: loginId or extension. */
  to: z.string().min(1).max(64),
  /** The caller's number (ANI). */
  from: z.string().regex(DIALABLE, 'a dialable number').optional(),
  /** Call variables by name: `callVariable1`–`callVariable10` or `user.<ECC name>`. */
  callVariables: z
    .record(z.string().regex(CALL_VARIABLE_NAME, 'callVariable1–10 or user.<name>'), z.string().max(CALL_VARIABLE_MAX))
    .optional(),
});

/**
 * The control API's Finesse part (`/api/finesse/...`): agent states, a simulated customer call
 * to a READY agent and its hang-up (the caller's side of a call, which no REST client can play),
 * and the admin unlock of a sign-in lockout (reference A.2.1). JSON; errors through the control
 * API's handler.
 */
export function controlFinesse(state: LabState): Router {
  const r = express.Router();
  r.use((_req, _res, next) => {
    if (!state.finesse) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'finesse is not running', { status: 404 });
    next();
  });
  const ctx = (): FinesseContext => state.finesse!;

  r.get('/agents', (_req, res) => {
    const rt = ctx().runtime;
    res.json(
      rt.roster().map(({ user, agent }) => ({
        username: user.username,
        loginId: agent.loginId,
        extension: agent.extension,
        state: agent.state,
        reasonCodeId: agent.reasonCodeId,
        pendingState: agent.pendingState,
        stateChangeTime: isoTime(agent.stateChangeTime),
        dialogs: rt.dialogsOf(agent.loginId).map((d) => d.id),
      })),
    );
  });

  r.get('/calls', (_req, res) => {
    res.json(ctx().runtime.dialogs().map(dialogView));
  });
  r.post('/calls', (req, res) => {
    const parsed = CallCommand.safeParse(req.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
      throw new IdpError('ERR_CONTROL_INVALID', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
    }
    const { to, from, callVariables } = parsed.data;
    const d = simulateCall(ctx().runtime, {
      to,
      ...(from === undefined ? {} : { from }),
      callVariables: Object.entries(callVariables ?? {}).map(([name, value]) => ({ name, value })),
    });
    res.status(201).json(dialogView(d));
  });
  r.post('/calls/:id/hangup', (req, res) => {
    res.json(dialogView(hangUp(ctx().runtime, req.params['id']!)));
  });

  r.post('/unlock/:username', (req, res) => {
    const f = ctx();
    const user = findFinesseUser(f.users, req.params['username']!);
    if (!user) throw new IdpError('ERR_CONTROL_NOT_FOUND', `no Finesse user '${req.params['username']}'`, { status: 404 });
    f.lockout.unlock(user.username);
    res.json({ unlocked: user.username });
  });
  return r;
}

/** A dialog as the control API shows it. */
function dialogView(d: Dialog) {
  return {
    id: d.id,
    state: dialogState(d),
    callType: d.callType,
    fromAddress: d.fromAddress,
    toAddress: d.toAddress,
    associatedDialogId: d.associatedDialogId ?? null,
    callVariables: d.callVariables,
    dtmf: d.dtmf,
    participants: d.participants.map((p) => ({
      mediaAddress: p.mediaAddress,
      loginId: p.loginId ?? null,
      state: p.state,
      stateCause: p.stateCause,
    })),
    uri: `/finesse/api/Dialog/${d.id}`,
  };
}
