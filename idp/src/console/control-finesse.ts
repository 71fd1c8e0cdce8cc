import express, { type Router } from 'express';
import { z } from 'zod';
import type { LabState } from '../lab.js';
import type { FinesseContext } from '../finesse/context.js';
import { findFinesseUser } from '../finesse/finesse-users.js';
import { CALL_VARIABLE_MAX, CALL_VARIABLE_NAME } from '../finesse/api/call-variables.js';
import { DIALABLE } from '../finesse/api/make-call.js';
import { dialogState, isoTime, type Dialog } from '../finesse/api/model.js';
import { hangUp, simulateCall } from '../finesse/api/simulate-call.js';
import type { PublishedNotification } from '../finesse/xmpp/notification-service.js';
import { IdpError } from '../shared/errors.js';

/** `GET /notifications?node=&limit=` (the service keeps the last 200). */
const NotificationQuery = z.strictObject({
  node: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** A comment line this often keeps an idle event stream open through proxies (SSE §9.2.6 ":"). */
const SSE_KEEPALIVE_MS = 15_000;

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
 * the admin unlock of a sign-in lockout (reference A.2.1), and what the notification service
 * (reference A.2.6) published and to whom: the recent notifications, a live Server-Sent Events
 * stream of them, and the connected desktops. JSON; errors through the control API's handler.
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

  /** The recent notifications, oldest first; `node` keeps one node's, `limit` the last n. */
  r.get('/notifications', (req, res) => {
    const { node, limit } = parseQuery(req.query);
    const list = ctx().notifications.recent().filter((n) => node === undefined || n.node === node);
    res.json(limit === undefined ? list : list.slice(-limit));
  });

  /**
   * Server-Sent Events (HTML Living Standard §9.2): one `data:` line of JSON per notification as it
   * is published (the same objects as `/notifications`), optionally for one `node`. The listener
   * goes when the client does.
   */
  r.get('/notifications/stream', (req, res) => {
    const { node, limit } = parseQuery(req.query);
    if (limit !== undefined) throw new IdpError('ERR_CONTROL_INVALID', 'limit: a stream has no limit', { details: { issues: [{ path: 'limit', message: 'not allowed on a stream' }] } });
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(': connected\n\n');
    const send = (n: PublishedNotification) => {
      if (node === undefined || n.node === node) res.write(`data: ${JSON.stringify(n)}\n\n`);
    };
    const off = ctx().notifications.onPublish(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    res.on('close', () => {
      off();
      clearInterval(keepAlive);
    });
  });

  /** Connected desktops (JID, transport, available) and agents waiting for their presence logout. */
  r.get('/connections', (_req, res) => {
    const n = ctx().notifications;
    res.json({ connections: n.connections(), pendingLogouts: n.pendingLogouts() });
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

function parseQuery(query: unknown): z.infer<typeof NotificationQuery> {
  const parsed = NotificationQuery.safeParse(query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message }));
  throw new IdpError('ERR_CONTROL_INVALID', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
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
