import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/** The console's simulated caller (issue: "A simulated caller (control API and console) rings an agent"). */
describe('console: Cisco panel', () => {
  let lab: Lab;
  const basic = 'Basic ' + Buffer.from('nonsso1:NonSso1Pass!').toString('base64');
  const put = (xml: string) =>
    fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { method: 'PUT', headers: { authorization: basic, 'content-type': 'application/xml' }, body: xml });
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${lab.urls.console}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  const page = async (query = '') => (await fetch(`${lab.urls.console}/${query}`)).text();
  const stateOf = (html: string, user: string) => new RegExp(`<td>${user}</td>(?:<td>[^<]*</td>){2}<td class="state">([A-Z_]+)</td>`).exec(html)?.[1];

  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'finesse', 'console'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('lists agents with their states and links to the IdS admin page and SP metadata', async () => {
    const html = await page();
    expect(stateOf(html, 'nonsso1')).toBe('LOGOUT');
    expect(html).toContain(`${lab.urls.ids}/idsadmin`);
    expect(html).toContain(`${lab.urls.ids}/ids/saml/metadata`);
  });

  it('rings a READY agent (RESERVED, ALERTING), hangs up, and refuses an agent who is not READY', async () => {
    expect((await put('<User><state>LOGIN</state><extension>3003</extension></User>')).status).toBe(202);
    const refused = await form('/cisco/ring', { to: '1003', from: '5551234' });
    expect(refused.status).toBe(303);
    expect(decodeURIComponent(refused.headers.get('location')!)).toContain('ERR_CONTROL_CONFLICT');

    expect((await put('<User><state>READY</state></User>')).status).toBe(202);
    const rang = await form('/cisco/ring', { to: '3003', from: '5551234' });
    const back = rang.headers.get('location')!;
    expect(decodeURIComponent(back)).toMatch(/Call \d+ is ringing/);
    const html = await page(back.slice(1));
    expect(stateOf(html, 'nonsso1')).toBe('RESERVED');
    const dialogId = /name="dialogId" value="(\d+)"/.exec(html)![1]!;
    const dialog = await (await fetch(`${lab.urls.finesse}/finesse/api/Dialog/${dialogId}`, { headers: { authorization: basic } })).text();
    expect(dialog).toMatch(/<mediaAddress>3003<\/mediaAddress>[\s\S]*?<state>ALERTING<\/state>/);

    const hung = await form('/cisco/hangup', { dialogId });
    expect(decodeURIComponent(hung.headers.get('location')!)).toContain(`Call ${dialogId} hung up`);
    expect(stateOf(await page(), 'nonsso1')).toBe('READY');
  });
});
