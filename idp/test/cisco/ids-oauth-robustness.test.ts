import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { ADMIN_AUTH, getCode, idsUrl, redeem, SAMPLE } from '../helpers/ids-code.js';

/**
 * DESIGN §5 "Bad input gets a clear error in the surface's own format and never a crash or a
 * 500", for every Cisco IdS endpoint: a fixed, bounded list of malformed requests, sent raw (so
 * bytes that fetch would clean up reach the server), each answered below 500 with our code.
 */

interface Raw {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTP/1.1 request as written, without any client-side normalisation. */
function send(base: string, r: Raw): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: r.method, path: r.path, headers: { ...(r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) }), ...r.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (path: string, body: string | Buffer, headers: Record<string, string> = {}): Raw => ({ method: 'POST', path, headers: { ...FORM, ...headers }, body });
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The garbage: every IdS path, each with the kinds of breakage a careless or hostile client sends. */
function garbage(): Raw[] {
  const authorize = '/ids/v1/oauth/authorize';
  const list: Raw[] = [
    // authorize: broken percent-encoding, NUL, huge and odd values, every parameter as garbage
    { method: 'GET', path: `${authorize}?client_id=%E0%A4%A&redirect_uri=%` },
    { method: 'GET', path: `${authorize}?client_id=${SAMPLE.clientId}&redirect_uri=%00&response_type=code` },
    { method: 'GET', path: `${authorize}?client_id=${SAMPLE.clientId}&redirect_uri=${encodeURIComponent(SAMPLE.redirectUri)}&response_type=%FF%FE&state=%C0%AF` },
    { method: 'GET', path: `${authorize}?client_id=${'a'.repeat(6000)}` },
    { method: 'GET', path: `${authorize}?client_id[]=x&client_id[a]=y` },
    { method: 'GET', path: `${authorize}?${'a=1&'.repeat(400)}` },
    { method: 'GET', path: `${authorize}?client_id=${SAMPLE.clientId}&redirect_uri=javascript:alert(1)&response_type=code` },
    { method: 'POST', path: authorize, headers: FORM, body: `client_id=${SAMPLE.clientId}` },
    { method: 'DELETE', path: authorize },
    // ACS: not base64, base64 of non-XML, a DOCTYPE bomb, unclosed markup, wrong types, no body
    form('/ids/saml/response', 'SAMLResponse=%%%'),
    form('/ids/saml/response', `SAMLResponse=${encodeURIComponent(b64('not xml'))}`),
    form('/ids/saml/response', `SAMLResponse=${encodeURIComponent(b64('<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'))}`),
    form('/ids/saml/response', `SAMLResponse=${encodeURIComponent(b64('<b>'.repeat(5000)))}`),
    form('/ids/saml/response', `SAMLResponse=${encodeURIComponent(b64('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'))}&RelayState=x`),
    form('/ids/saml/response', 'SAMLResponse=a&SAMLResponse=b'),
    form('/ids/saml/response?metaAlias=/sp', ''),
    form('/ids/saml/response?metaAlias=%ZZ', 'SAMLResponse=x'),
    { method: 'POST', path: '/ids/saml/response', headers: { 'content-type': 'application/json' }, body: '{"SAMLResponse":{"a":1}}' },
    { method: 'GET', path: '/ids/saml/response' },
    // relay
    form('/ids/relay', 'uniqueId=%'),
    form('/ids/relay', `uniqueId=${'x'.repeat(100_000)}`),
    { method: 'POST', path: '/ids/relay', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }, body: 'uniqueId=a' },
    { method: 'POST', path: '/ids/relay', headers: FORM, body: Buffer.alloc(600 * 1024, 0x61) },
    // token and revoke
    form('/ids/v1/oauth/token', 'grant_type=authorization_code&code=%ZZ'),
    form('/ids/v1/oauth/token', 'grant_type=refresh_token&refresh_token=a.b.c&client_id=' + SAMPLE.clientId),
    form('/ids/v1/oauth/token', `grant_type=refresh_token&refresh_token=${'A'.repeat(9000)}&client_id=${SAMPLE.clientId}`),
    form('/ids/v1/oauth/token', `grant_type=refresh_token&refresh_token=${b64('{"alg":"none"}')}..&access_token=.&client_id=${SAMPLE.clientId}`),
    form('/ids/v1/oauth/token', 'grant_type=authorization_code&code=x', { authorization: `Basic ${b64('%ZZ:')}` }),
    form('/ids/v1/oauth/token', 'grant_type=authorization_code&code=x', { authorization: 'Basic' }),
    form('/ids/v1/oauth/token', 'grant_type=authorization_code&code=x', { authorization: `Basic ${b64('\u0000\uffff')}` }),
    form('/ids/v1/oauth/token', `${'p=1&'.repeat(60)}grant_type=x`),
    form('/ids/v1/oauth/token', 'grant_type=authorization_code&grant_type=refresh_token&client_id=' + SAMPLE.clientId),
    { method: 'POST', path: '/ids/v1/oauth/token', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' },
    { method: 'POST', path: '/ids/v1/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }, body: 'not gzip' },
    { method: 'GET', path: '/ids/v1/oauth/token' },
    form('/ids/v1/oauth/revoke', `token=${'.'.repeat(50)}&client_id=${SAMPLE.clientId}`),
    form('/ids/v1/oauth/revoke', 'token=a&token=b&client_id=' + SAMPLE.clientId),
    form('/ids/v1/oauth/revoke', '', { authorization: `Basic ${b64(':')}` }),
    // token keys
    { method: 'GET', path: '/ids/v1/keys/token/public', headers: { authorization: `Basic ${'='.repeat(3000)}` } },
    { method: 'GET', path: '/ids/v1/keys/token/public/csr?download=%ZZ', headers: { authorization: ADMIN_AUTH } },
    { method: 'GET', path: '/ids/v1/keys/token/public/x509?download=true&download=true', headers: { authorization: ADMIN_AUTH } },
    { method: 'GET', path: '/ids/v1/keys/token/private', headers: { authorization: ADMIN_AUTH } },
    // metadata and admin
    { method: 'GET', path: '/ids/saml/metadata?download[]=true' },
    { method: 'GET', path: '/idsadmin', headers: { authorization: 'Basic \u00ff' } },
    form('/idsadmin/settings', 'accessTokenMinutes=1e400&refreshTokenHours=-0&authorizationCodeMinutes=0x5&encrypt=true', { authorization: ADMIN_AUTH }),
    form('/idsadmin/settings', 'accessTokenMinutes=a&accessTokenMinutes=b&encrypt=true', { authorization: ADMIN_AUTH }),
    form('/idsadmin/clients', `name=${'n'.repeat(500)}&redirectUrls=%0A%0A`, { authorization: ADMIN_AUTH }),
    form('/idsadmin/clients', 'name=&redirectUrls=http://127.0.0.1/x', { authorization: ADMIN_AUTH }),
    form('/idsadmin/clients/delete', 'clientId=%ZZ', { authorization: ADMIN_AUTH }),
    form('/idsadmin/clients/delete', '', { authorization: ADMIN_AUTH }),
    form('/idsadmin/idp-metadata', `metadata=${encodeURIComponent('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>')}`, { authorization: ADMIN_AUTH }),
    form('/idsadmin/idp-metadata', `metadata=${encodeURIComponent('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>')}`, { authorization: ADMIN_AUTH }),
    { method: 'POST', path: '/idsadmin/idp-metadata', headers: { authorization: ADMIN_AUTH, 'content-type': 'multipart/form-data; boundary=z' }, body: '--z\r\n--z--' },
    // nowhere
    { method: 'GET', path: '/ids/%ZZ' },
    { method: 'GET', path: '/ids/v1/oauth/authorize/../../../etc/passwd' },
    { method: 'OPTIONS', path: '/ids/v1/oauth/token' },
  ];
  return list;
}

describe('Cisco IdS robustness: garbage never yields a 500', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('answers every malformed request below 500, with our code on each error', async () => {
    const requests = garbage();
    expect(requests.length).toBeLessThan(100);
    const settingsBefore = { ...lab.state.ids!.settings };
    const clientsBefore = lab.state.ids!.clients.list().length;
    for (const r of requests) {
      const label = `${r.method} ${r.path.slice(0, 120)}`;
      const res = await send(idsUrl(lab), r);
      expect(res.status, `${label}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers['x-idp-harness-error'], label).toMatch(/^ERR_[A-Z_]+$/);
    }
    // None of it changed the IdS: same settings, same clients, nothing issued.
    expect(lab.state.ids!.settings).toEqual(settingsBefore);
    expect(lab.state.ids!.clients.list()).toHaveLength(clientsBefore);
    expect(lab.state.ids!.tokens.list()).toHaveLength(0);
  });

  it('still completes a sign-in and a code redemption afterwards', async () => {
    const { code } = await getCode(lab);
    const r = await redeem(lab, code);
    expect(r.status, r.text).toBe(200);
    expect(r.json!['token_type']).toBe('Bearer');
  });
});
