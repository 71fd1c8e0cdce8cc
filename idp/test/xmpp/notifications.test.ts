import { XMLSerializer } from '@xmldom/xmldom';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userBody, type FinesseLab } from '../finesse-api/finesse-lab.js';
import {
  Desktop,
  TRANSPORTS,
  bareJid,
  child,
  children,
  childText,
  closeDesktops,
  dialogAction,
  hangUpCall,
  pubsubOf,
  ringCall,
  startXmppLab,
  type Note,
  type TransportName,
} from './xmpp-test-client.js';

/**
 * What a desktop receives after REST changes (reference A.2.6, the real captures in
 * pokornyIt/finesse-api): a XEP-0060 event message from `pubsub.<domain>` to the agent's bare JID,
 * one `<item>` whose `urn:xmpp:push:0` notification is the escaped `<Update>` with `data`,
 * `event`, `requestId` (the REST request's `requestId` header, A.2.4) and `source`. The
 * notifications are decoded by stanza (as XEP-0060 items) and @xmldom/xmldom (the Update).
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await startXmppLab();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());
afterEach(() => closeDesktops());

const USER1 = '/finesse/api/User/1001';
const DIALOGS1 = '/finesse/api/User/1001/Dialogs';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The children of an element as `name=serialization`, to compare a notification with a REST answer. */
function fields(el: Element): string[] {
  const s = new XMLSerializer();
  return children(el).map((c) => `${c.tagName}=${s.serializeToString(c)}`);
}

function expectEnvelope(n: Note, node: string): void {
  expect(n.node).toBe(node);
  expect(n.from).toBe(pubsubOf(f));
  expect(n.to).toBe(bareJid(f, 'agent1')); // auto-subscribed nodes go to the bare JID (A.2.6 capture)
  expect(n.itemId).toMatch(UUID);
}

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it('LOGIN then READY with a requestId: a User PUT on the user node, requestId echoed, the same User as a REST GET', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const login = await f.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3001' }), { headers: { requestId: `login-${t}` } });
    expect(login.status).toBe(202);
    const n1 = await d.note((n) => n.requestId === `login-${t}`, 'the LOGIN notification');
    expectEnvelope(n1, USER1);
    // Element order of the real capture: data, event, requestId, source.
    expect(children(n1.update).map((c) => c.tagName)).toEqual(['data', 'event', 'requestId', 'source']);
    expect(n1.event).toBe('PUT');
    expect(n1.source).toBe(USER1);
    expect(n1.data.tagName).toBe('user');
    expect(childText(n1.data, 'state')).toBe('NOT_READY');
    expect(childText(n1.data, 'extension')).toBe('3001');
    // The notification carries the object a REST GET returns right after (reference A.2.4).
    const afterLogin = await f.user('agent1');
    expect(fields(n1.data)).toEqual(fields(afterLogin));

    await f.put('agent1', '/User/1001', userBody({ state: 'READY' }), { headers: { requestId: `ready-${t}` } });
    const n2 = await d.note((n) => n.requestId === `ready-${t}`, 'the READY notification');
    expectEnvelope(n2, USER1);
    expect(childText(n2.data, 'state')).toBe('READY');
    expect(childText(n2.data, 'state')).toBe(await f.state('agent1'));
    expect(fields(n2.data)).toEqual(fields(await f.user('agent1')));
    expect(n2.itemId).not.toBe(n1.itemId);
    d.assertClean();
  });

  it('without the requestId header the element is there and empty', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    await f.login('agent1');
    const n = await d.note((x) => x.node === USER1, 'the LOGIN notification');
    expect(n.requestId).toBe('');
    expect(childText(n.data, 'state')).toBe('NOT_READY');
  });

  it('a requestId with XML special characters comes back intact (escaped in the Update, then again in the notification)', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const requestId = `a<b>&c"d'e ${t}`;
    const res = await f.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3001' }), { headers: { requestId } });
    expect(res.status).toBe(202);
    const n = await d.note((x) => x.node === USER1, 'the LOGIN notification');
    expect(n.requestId).toBe(requestId);
    expect(n.xml).toContain('<requestId>a&lt;b&gt;&amp;c');
  });

  it('a call: Dialogs POST, User RESERVED; ANSWER: Dialog PUT from /finesse/api/Dialog/<id>, TALKING; DROP: DELETE, READY', async () => {
    await f.ready('agent1');
    const d = await Desktop.open(f, 'agent1', t);

    const id = await ringCall(f, '1001');
    const post = await d.note((n) => n.node === DIALOGS1 && n.event === 'POST', 'the Dialogs POST');
    expectEnvelope(post, DIALOGS1);
    // POST and DELETE carry the collection form: <dialogs><Dialog>, source the collection.
    expect(post.source).toBe(DIALOGS1);
    expect(post.data.tagName).toBe('dialogs');
    const posted = children(post.data);
    expect(posted.map((c) => c.tagName)).toEqual(['Dialog']);
    expect(childText(posted[0]!, 'id')).toBe(id);
    expect(childText(posted[0]!, 'state')).toBe('ALERTING');
    const reserved = await d.note((n) => n.node === USER1 && childText(n.data, 'state') === 'RESERVED', 'the User RESERVED');
    expect(reserved.event).toBe('PUT');
    expect(reserved.requestId).toBe(''); // the call came from the ACD, not from a request

    let since = d.notes.length;
    await dialogAction(f, 'agent1', id, 'ANSWER', `answer-${t}`);
    const put = await d.note((n) => n.node === DIALOGS1 && n.event === 'PUT', 'the Dialog PUT after ANSWER', since);
    // PUT carries the Dialog itself, source the Dialog's own URI.
    expect(put.source).toBe(`/finesse/api/Dialog/${id}`);
    expect(put.requestId).toBe(`answer-${t}`);
    expect(put.data.tagName).toBe('Dialog');
    expect(childText(put.data, 'state')).toBe('ACTIVE');
    const talking = await d.note((n) => n.node === USER1 && childText(n.data, 'state') === 'TALKING', 'the User TALKING', since);
    expect(talking.requestId).toBe(`answer-${t}`);

    since = d.notes.length;
    await dialogAction(f, 'agent1', id, 'DROP', `drop-${t}`);
    const del = await d.note((n) => n.node === DIALOGS1 && n.event === 'DELETE', 'the Dialogs DELETE', since);
    expect(del.source).toBe(DIALOGS1);
    expect(del.requestId).toBe(`drop-${t}`);
    expect(del.data.tagName).toBe('dialogs');
    expect(childText(children(del.data)[0]!, 'id')).toBe(id);
    const ready = await d.note((n) => n.node === USER1 && childText(n.data, 'state') === 'READY', 'the User READY after the call', since);
    expect(childText(ready.data, 'state')).toBe(await f.state('agent1'));
    d.assertClean();
  });

  it('the caller hangs up: the Dialog is DELETEd with every participant DROPPED (CALL_ENDED), and the agent is READY again', async () => {
    await f.ready('agent1');
    const d = await Desktop.open(f, 'agent1', t);
    const id = await ringCall(f, '1001');
    await d.note((n) => n.node === DIALOGS1 && n.event === 'POST', 'the Dialogs POST');
    const since = d.notes.length;
    await hangUpCall(f, id);
    const del = await d.note((n) => n.node === DIALOGS1 && n.event === 'DELETE', 'the Dialogs DELETE', since);
    expect(del.requestId).toBe('');
    const dialog = children(del.data)[0]!;
    expect(childText(dialog, 'id')).toBe(id);
    const participants = children(child(dialog, 'participants')!);
    expect(participants.map((p) => [childText(p, 'state'), childText(p, 'stateCause')])).toEqual([
      ['DROPPED', 'CALL_ENDED'],
      ['DROPPED', 'CALL_ENDED'],
    ]);
    const ready = await d.note((n) => n.node === USER1 && childText(n.data, 'state') === 'READY', 'the User READY', since);
    expect(ready.requestId).toBe('');
  });

  it("an agent does not receive another agent's notifications", async () => {
    const d1 = await Desktop.open(f, 'agent1', t);
    const d2 = await Desktop.open(f, 'agent2', t);
    await f.login('agent2');
    await f.login('agent1');
    const own2 = await d2.note((n) => n.node === '/finesse/api/User/1002', "agent2's own notification");
    expect(own2.to).toBe(bareJid(f, 'agent2'));
    await d1.note((n) => n.node === USER1, "agent1's own notification");
    // Both REST calls have returned, so the notifications are written; a ping round trip flushes them.
    await d1.barrier();
    await d2.barrier();
    expect(d1.notes.map((n) => n.node)).toEqual([USER1]);
    expect(d2.notes.map((n) => n.node)).toEqual(['/finesse/api/User/1002']);
    expect(d1.notes.every((n) => childText(n.data, 'loginId') === '1001')).toBe(true);
  });
});
