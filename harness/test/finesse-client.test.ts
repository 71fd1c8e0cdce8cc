import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseApiError, FinesseRestClient } from '../src/clients/finesse/rest-client.js';
import { startTestLab } from '../src/start-lab.js';
import type { Lab } from '../../idp/src/lab.js';

/**
 * The reference Finesse REST client (harness/src/clients/finesse/rest-client.ts), twice:
 *  - against a recording stand-in server on 127.0.0.1 that answers hand-written XML in the shapes
 *    of Cisco's documentation (reference A.2.2–A.2.5), to pin what goes on the wire (method, path,
 *    Content-Type, body, Authorization per request) and how answers and errors are read, element
 *    order included;
 *  - against the lab's Finesse as the non-SSO agent nonsso1 (Basic), to show the bodies it sends
 *    are ones Finesse accepts, and that Finesse's refusals come back as FinesseApiError.
 */

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const USER_XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<User>
  <uri>/finesse/api/User/6021</uri>
  <roles><role>Agent</role><role>Supervisor</role></roles>
  <loginId>6021</loginId>
  <loginName>jdoe</loginName>
  <state>NOT_READY</state>
  <stateChangeTime>2024-05-02T10:11:12.345Z</stateChangeTime>
  <pendingState></pendingState>
  <reasonCodeId>14</reasonCodeId>
  <ReasonCode><category>NOT_READY</category><uri>/finesse/api/ReasonCode/14</uri><code>32</code><label>Lunch &amp; Break</label><forAll>true</forAll><systemCode>false</systemCode><id>14</id></ReasonCode>
  <settings><wrapUpOnIncoming>OPTIONAL</wrapUpOnIncoming></settings>
  <extension>1001001</extension>
  <firstName>Jane</firstName>
  <lastName>Doe</lastName>
  <teamId>5</teamId>
  <teamName>Sales</teamName>
  <dialogs>/finesse/api/User/6021/Dialogs</dialogs>
  <teams><Team><uri>/finesse/api/Team/5</uri><id>5</id><name>Sales</name></Team><Team><id>6</id><name>Support</name><uri>/finesse/api/Team/6</uri></Team></teams>
</User>`;

const SYSTEM_INFO_XML = `<SystemInfo>
  <xmppPubSubDomain>pubsub.finesse.example</xmppPubSubDomain>
  <deploymentType>UCCE</deploymentType>
  <currentTimestamp>2024-05-02T10:11:12.345Z</currentTimestamp>
  <primaryNode><host>finesse-a.example</host></primaryNode>
  <secondaryNode><host>finesse-b.example</host></secondaryNode>
  <status>IN_SERVICE</status>
  <statusReason></statusReason>
  <systemAuthMode>NON_SSO</systemAuthMode>
  <timezoneOffset>-240</timezoneOffset>
  <uri>/finesse/api/SystemInfo</uri>
  <xmppDomain>finesse.example</xmppDomain>
</SystemInfo>`;

const REASON_CODES_XML = `<ReasonCodes category="NOT_READY">
  <ReasonCode><uri>/finesse/api/ReasonCode/1</uri><id>1</id><category>NOT_READY</category><code>10</code><label>Break</label><forAll>true</forAll><systemCode>false</systemCode></ReasonCode>
  <ReasonCode><label>Coaching</label><id>5</id><uri>/finesse/api/ReasonCode/5</uri><code>13</code><category>NOT_READY</category><forAll>false</forAll><systemCode>false</systemCode></ReasonCode>
</ReasonCodes>`;

const DIALOGS_XML = `<Dialogs><Dialog>
  <associatedDialogUri></associatedDialogUri>
  <fromAddress>5550100</fromAddress>
  <id>16777217</id>
  <mediaProperties>
    <DNIS>1001001</DNIS><callType>ACD_IN</callType><dialedNumber>1001001</dialedNumber><wrapUpReason></wrapUpReason>
    <callvariables><CallVariable><name>callVariable1</name><value>account 42</value></CallVariable></callvariables>
  </mediaProperties>
  <mediaType>Voice</mediaType>
  <participants>
    <Participant><actions></actions><mediaAddress>5550100</mediaAddress><mediaAddressType></mediaAddressType><startTime>2024-05-02T10:11:12.345Z</startTime><state>ACTIVE</state><stateCause></stateCause><stateChangeTime>2024-05-02T10:11:12.345Z</stateChangeTime></Participant>
    <Participant><actions><action>HOLD</action><action>DROP</action></actions><mediaAddress>1001001</mediaAddress><mediaAddressType>AGENT_DEVICE</mediaAddressType><startTime>2024-05-02T10:11:12.345Z</startTime><state>ACTIVE</state><stateCause></stateCause><stateChangeTime>2024-05-02T10:11:13.000Z</stateChangeTime></Participant>
  </participants>
  <state>ACTIVE</state>
  <toAddress>1001001</toAddress>
  <uri>/finesse/api/Dialog/16777217</uri>
</Dialog></Dialogs>`;

/** ErrorType first, ErrorData last: Cisco's examples vary the order (reference A.2.2). */
const API_ERROR_XML =
  '<ApiErrors><ApiError><ErrorType>Invalid State</ErrorType><ErrorMessage>CF_INVALID_OBJECT_STATE</ErrorMessage><ErrorData>state</ErrorData></ApiError></ApiErrors>';

describe('FinesseRestClient on the wire (a recording stand-in server)', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        seen.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const xml = (status: number, body: string, extra: Record<string, string> = {}) =>
          res.writeHead(status, { 'content-type': 'application/xml', ...extra }).end(body);
        if (req.method === 'PUT' || req.method === 'POST') return res.writeHead(202).end();
        if (path === '/finesse/api/SystemInfo') return xml(200, SYSTEM_INFO_XML);
        if (path === '/finesse/api/User/refused') return xml(400, API_ERROR_XML, { 'x-idp-harness-error': 'ERR_FINESSE_INVALID_STATE' });
        if (path === '/finesse/api/User/down') return res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        if (path.endsWith('/ReasonCodes?category=NOT_READY')) return xml(200, REASON_CODES_XML);
        if (path.endsWith('/Dialogs')) return xml(200, DIALOGS_XML);
        if (path.startsWith('/finesse/api/User/')) return xml(200, USER_XML);
        return xml(404, '<ApiErrors><ApiError><ErrorData></ErrorData><ErrorMessage>no</ErrorMessage><ErrorType>Not Found</ErrorType></ApiError></ApiErrors>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** A client whose Authorization changes on every call, to see that it is asked each time. */
  function client(): { api: FinesseRestClient; asked: () => number } {
    let n = 0;
    return { api: new FinesseRestClient({ finesseUrl: base, authorization: async () => `Bearer token-${++n}` }), asked: () => n };
  }

  it('sends each change as Finesse documents it: method, path, Content-Type application/xml, the XML body, requestId, and a fresh Authorization per request', async () => {
    const { api, asked } = client();
    const from = seen.length;
    await api.login('6021', '1001001');
    await api.setState('6021', 'NOT_READY', { reasonCodeId: 14, requestId: 'desk-7' });
    await api.setState('6021', 'READY');
    await api.logout('6021', 20);
    await api.makeCall('6021', '1001001', '1002002');
    await api.dialogAction('16777217', 'ANSWER', { targetMediaAddress: '1001001' });
    await api.dialogAction('16777217', 'TRANSFER_SST', { targetMediaAddress: '1001001', toAddress: '1003003' });
    await api.dialogAction('16777217', 'CONSULT_CALL', { targetMediaAddress: '1001001', toAddress: '1003003' });
    await api.dialogAction('16777217', 'SEND_DTMF', { targetMediaAddress: '1001001', dtmf: '12#' });
    const got = seen.slice(from);
    expect(got.map((s) => [s.method, s.path, s.body])).toEqual([
      ['PUT', '/finesse/api/User/6021', '<User><state>LOGIN</state><extension>1001001</extension></User>'],
      ['PUT', '/finesse/api/User/6021', '<User><state>NOT_READY</state><reasonCodeId>14</reasonCodeId></User>'],
      ['PUT', '/finesse/api/User/6021', '<User><state>READY</state></User>'],
      ['PUT', '/finesse/api/User/6021', '<User><state>LOGOUT</state><reasonCodeId>20</reasonCodeId></User>'],
      ['POST', '/finesse/api/User/6021/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>1001001</fromAddress><toAddress>1002002</toAddress></Dialog>'],
      ['PUT', '/finesse/api/Dialog/16777217', '<Dialog><requestedAction>ANSWER</requestedAction><targetMediaAddress>1001001</targetMediaAddress></Dialog>'],
      ['PUT', '/finesse/api/Dialog/16777217', '<Dialog><requestedAction>TRANSFER_SST</requestedAction><targetMediaAddress>1001001</targetMediaAddress><toAddress>1003003</toAddress></Dialog>'],
      ['PUT', '/finesse/api/Dialog/16777217', '<Dialog><requestedAction>CONSULT_CALL</requestedAction><targetMediaAddress>1001001</targetMediaAddress><toAddress>1003003</toAddress></Dialog>'],
      [
        'PUT',
        '/finesse/api/Dialog/16777217',
        '<Dialog><requestedAction>SEND_DTMF</requestedAction><targetMediaAddress>1001001</targetMediaAddress><actionParams><ActionParam><name>dtmfString</name><value>12#</value></ActionParam></actionParams></Dialog>',
      ],
    ]);
    for (const s of got) expect(s.headers['content-type']).toBe('application/xml');
    expect(got.map((s) => s.headers['requestid'])).toEqual([undefined, 'desk-7', undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(asked()).toBe(got.length);
    expect(got.map((s) => s.headers['authorization'])).toEqual(got.map((_, i) => `Bearer token-${i + 1}`));
  });

  it('escapes XML in values and encodes ids in paths', async () => {
    const { api } = client();
    const from = seen.length;
    await api.dialogAction('1/../2', 'TRANSFER_SST', { targetMediaAddress: '1001001', toAddress: '<x>&' });
    await api.getUser('a/b?c');
    const [put, get] = seen.slice(from);
    expect(put!.path).toBe('/finesse/api/Dialog/1%2F..%2F2');
    expect(put!.body).toContain('<toAddress>&lt;x&gt;&amp;</toAddress>');
    expect(get!.path).toBe('/finesse/api/User/a%2Fb%3Fc');
    // GETs too carry Content-Type: application/xml (reference A.1.5 step 7), and no body.
    expect([get!.method, get!.headers['content-type'], get!.body]).toEqual(['GET', 'application/xml', '']);
  });

  it('reads User, SystemInfo, ReasonCodes and Dialogs whatever the element order', async () => {
    const { api } = client();
    const user = await api.getUser('6021');
    expect(user).toEqual({
      uri: '/finesse/api/User/6021',
      loginId: '6021',
      loginName: 'jdoe',
      firstName: 'Jane',
      lastName: 'Doe',
      extension: '1001001',
      state: 'NOT_READY',
      pendingState: '',
      stateChangeTime: '2024-05-02T10:11:12.345Z',
      reasonCodeId: 14,
      reasonCode: { id: 14, uri: '/finesse/api/ReasonCode/14', category: 'NOT_READY', code: 32, label: 'Lunch & Break', forAll: true, systemCode: false },
      roles: ['Agent', 'Supervisor'],
      teamId: '5',
      teamName: 'Sales',
      teams: [
        { id: '5', name: 'Sales', uri: '/finesse/api/Team/5' },
        { id: '6', name: 'Support', uri: '/finesse/api/Team/6' },
      ],
      dialogsUri: '/finesse/api/User/6021/Dialogs',
    });
    expect(await api.systemInfo()).toEqual({
      uri: '/finesse/api/SystemInfo',
      deploymentType: 'UCCE',
      systemAuthMode: 'NON_SSO',
      status: 'IN_SERVICE',
      statusReason: '',
      currentTimestamp: '2024-05-02T10:11:12.345Z',
      timezoneOffset: -240,
      primaryNodeHost: 'finesse-a.example',
      secondaryNodeHost: 'finesse-b.example',
      xmppDomain: 'finesse.example',
      xmppPubSubDomain: 'pubsub.finesse.example',
    });
    const codes = await api.reasonCodes('6021', 'NOT_READY');
    expect(codes.map((c) => [c.id, c.code, c.label, c.forAll])).toEqual([
      [1, 10, 'Break', true],
      [5, 13, 'Coaching', false],
    ]);
    const [d, ...rest] = await api.dialogs('6021');
    expect(rest).toEqual([]);
    expect([d!.id, d!.state, d!.fromAddress, d!.toAddress, d!.mediaType]).toEqual(['16777217', 'ACTIVE', '5550100', '1001001', 'Voice']);
    expect(d!.mediaProperties).toEqual({ dnis: '1001001', callType: 'ACD_IN', dialedNumber: '1001001', wrapUpReason: '', callVariables: [{ name: 'callVariable1', value: 'account 42' }] });
    expect(d!.participants.map((p) => [p.mediaAddress, p.mediaAddressType, p.state, p.actions])).toEqual([
      ['5550100', '', 'ACTIVE', []],
      ['1001001', 'AGENT_DEVICE', 'ACTIVE', ['HOLD', 'DROP']],
    ]);
  });

  it('resolveLoginId asks GET /User/<loginName> once and remembers the loginId (reference A.2.1)', async () => {
    const { api } = client();
    const from = seen.length;
    expect(await api.resolveLoginId('jdoe')).toBe('6021');
    expect(await api.resolveLoginId('jdoe')).toBe('6021');
    expect(seen.slice(from).map((s) => [s.method, s.path])).toEqual([['GET', '/finesse/api/User/jdoe']]);
  });

  it('turns <ApiErrors> into FinesseApiError (any element order, the lab code from X-Idp-Harness-Error), and a non-XML error keeps its status', async () => {
    const { api } = client();
    const e = await api.getUser('refused').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(FinesseApiError);
    const a = e as FinesseApiError;
    expect([a.status, a.errorType, a.errorMessage, a.errorData, a.code]).toEqual([400, 'Invalid State', 'CF_INVALID_OBJECT_STATE', 'state', 'ERR_FINESSE_INVALID_STATE']);
    const down = (await api.getUser('down').catch((err: unknown) => err)) as FinesseApiError;
    expect(down).toBeInstanceOf(FinesseApiError);
    expect([down.status, down.errorType, down.errorMessage, down.code]).toEqual([503, '', 'Service Unavailable', undefined]);
  });
});

describe('FinesseRestClient against the lab (nonsso1, Basic)', () => {
  let lab: Lab;
  let api: FinesseRestClient;
  const changes: Array<{ node: string; requestId: string | undefined }> = [];

  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'finesse', 'console'], tls: false });
    lab.state.finesse!.runtime.onChange((c) => changes.push({ node: c.node, requestId: c.requestId }));
    const basic = `Basic ${Buffer.from('nonsso1:NonSso1Pass!').toString('base64')}`;
    api = new FinesseRestClient({ finesseUrl: lab.urls.finesse!, authorization: async () => basic });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('test: the request was accepted');
      },
      (e: unknown) => {
        expect(e).toBeInstanceOf(FinesseApiError);
        return e as FinesseApiError;
      },
    );

  it('reads SystemInfo and the agent, signs in, and gets Finesse\'s refusals as FinesseApiError', async () => {
    const info = await api.systemInfo();
    expect([info.deploymentType, info.systemAuthMode, info.status]).toEqual(['UCCE', 'HYBRID', 'IN_SERVICE']);
    expect(info.xmppPubSubDomain).toBe(`pubsub.${info.xmppDomain}`);
    expect(await api.resolveLoginId('nonsso1')).toBe('1003');

    // Another phone is the CTI server's refusal: accepted (202), reported on the notification
    // channel (reference A.2.2), and the agent stays signed out.
    await api.login('1003', '3999');
    expect((await api.getUser('1003')).state).toBe('LOGOUT');
    await api.login('1003', '3003');
    await api.setState('1003', 'READY', { requestId: 'desk-42' });
    expect(changes.filter((c) => c.node === '/finesse/api/User/1003').at(-1)).toEqual({ node: '/finesse/api/User/1003', requestId: 'desk-42' });

    const noReason = await refusal(api.setState('1003', 'NOT_READY'));
    expect([noReason.status, noReason.errorType, noReason.errorData]).toEqual([400, 'Parameter Missing', 'finesse.api.reasoncode.require_reasoncode']);
    const other = await refusal(api.getUser('1001'));
    expect([other.status, other.code]).toEqual([401, 'ERR_FINESSE_WRONG_USER']);
    const codes = await api.reasonCodes('1003', 'NOT_READY');
    expect(codes.length).toBeGreaterThan(0);
    await api.setState('1003', 'NOT_READY', { reasonCodeId: codes[0]!.id });
    const me = await api.getUser('1003');
    expect([me.state, me.reasonCodeId, me.extension]).toEqual(['NOT_READY', codes[0]!.id, '3003']);
  });

  it('places a call, sends DTMF, consults, drops: the lab accepts every body the client writes', async () => {
    await api.makeCall('1003', '3003', '5551234');
    const [call] = await api.dialogs('1003');
    expect(call!.toAddress).toBe('5551234');
    expect(call!.participants.find((p) => p.mediaAddress === '3003')!.state).toBe('ACTIVE');
    expect((await api.dialog(call!.id)).id).toBe(call!.id);

    await api.dialogAction(call!.id, 'SEND_DTMF', { targetMediaAddress: '3003', dtmf: '12#' });
    const calls = await fetch(`${lab.urls.console}/api/finesse/calls`).then((r) => r.json() as Promise<Array<{ id: string; dtmf: string }>>);
    expect(calls.find((c) => c.id === call!.id)!.dtmf).toBe('12#');

    await api.dialogAction(call!.id, 'CONSULT_CALL', { targetMediaAddress: '3003', toAddress: '5559876' });
    const both = await api.dialogs('1003');
    expect(both.length).toBe(2);
    expect(both.find((d) => d.id === call!.id)!.participants.find((p) => p.mediaAddress === '3003')!.state).toBe('HELD');
    const consult = both.find((d) => d.id !== call!.id)!;
    expect(consult.toAddress).toBe('5559876');

    // An action the participant's state does not allow is accepted (202) and refused on the
    // notification channel (Dev Guide "Asynchronous Errors"): nothing changes on the dialog.
    await api.dialogAction(call!.id, 'ANSWER', { targetMediaAddress: '3003' });
    expect((await api.dialogs('1003')).find((d) => d.id === call!.id)!.participants.find((p) => p.mediaAddress === '3003')!.state).toBe('HELD');

    await api.dialogAction(consult.id, 'DROP', { targetMediaAddress: '3003' });
    await api.dialogAction(call!.id, 'RETRIEVE', { targetMediaAddress: '3003' });
    await api.dialogAction(call!.id, 'DROP', { targetMediaAddress: '3003' });
    expect(await api.dialogs('1003')).toEqual([]);
  });
});
