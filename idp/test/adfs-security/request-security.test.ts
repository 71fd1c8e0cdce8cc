/**
 * Inbound AuthnRequest hardening, end to end over HTTP (reference §4.1 items 2, 6, 7, 8, 9; issue 2
 * "Security"): DOCTYPE refused, size caps before and after inflate, ACS URL/index exactly as
 * registered, replayed and stale requests refused, Destination checked, RelayState bounded and
 * escaped, comment injection in the Issuer. Every refusal is asserted by its code.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent, readForm } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import {
  STATUS,
  authnRequestXml,
  b64,
  endpoints,
  expectErrorPage,
  expectLoginPage,
  expectStatusResponse,
  expectSuccessResponse,
  getLs,
  instant,
  logoutRequestXml,
  newId,
  postLs,
  readRedirected,
  redirectQuery,
  redirectSignedBy,
  submitLogin,
} from './lab-saml.js';

let lab: Lab;
let acs: string;
/** A local HTTP server standing for an attacker's DTD host: it must never be contacted. */
let dtdHost: Server;
let dtdUrl: string;
let dtdHits = 0;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
  acs = endpoints(lab).sampleAcs;
  dtdHost = createServer((_req, res) => {
    dtdHits++;
    res.end('<!ENTITY leak "leaked">');
  });
  await new Promise<void>((resolve) => dtdHost.listen(0, '127.0.0.1', resolve));
  dtdUrl = `http://127.0.0.1:${(dtdHost.address() as AddressInfo).port}/evil.dtd`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => dtdHost.close(() => resolve()));
  await lab.stop();
});
beforeEach(() => lab.state.reset());

/** A full, normal sign-in through the sample SP (node-saml): proves the lab still serves. */
async function normalSignIn(): Promise<void> {
  const ua = new UserAgent();
  const start = await ua.get(`${lab.urls.console}/sample-sp/login`);
  expect(start.status).toBe(302);
  const working = await submitLogin(ua, await ua.get(start.location!));
  const posted = readForm(working.body, working.url);
  const landed = await ua.post(posted.action, posted.fields);
  expect(landed.status).toBe(200);
  expect(landed.body).toContain('id="signedIn"');
}

describe('DOCTYPE is refused before any parsing (XXE, entities, billion laughs)', () => {
  const withDoctype = (doctype: string, issuer: string) => doctype + authnRequestXml(lab, { issuer });
  const payloads = () => ({
    'external entity (file)': withDoctype('<!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
    'external entity (http)': withDoctype(`<!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM "${dtdUrl}">]>`, '&xxe;'),
    'external DTD and parameter entity': withDoctype(`<!DOCTYPE samlp:AuthnRequest SYSTEM "${dtdUrl}">`, '&leak;'),
    // Expanded, this entity would name the registered sample SP.
    'internal entity': withDoctype('<!DOCTYPE samlp:AuthnRequest [<!ENTITY sp "urn:idp-harness:sample-sp">]>', '&sp;'),
    'billion laughs': withDoctype(
      '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
        Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
        ']>',
      '&lol9;',
    ),
    'a bare lower-case doctype': withDoctype('<!doctype html>', 'urn:idp-harness:sample-sp'),
  });

  it('over HTTP-Redirect', async () => {
    const ua = new UserAgent();
    for (const [name, xml] of Object.entries(payloads())) {
      const res = await getLs(ua, lab, redirectQuery(xml));
      expect(res.headers['x-idp-harness-error'], name).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
      expectErrorPage(res, 'ERR_SAML_DOCTYPE_FORBIDDEN', 'MSIS7012');
    }
  });

  it('over HTTP-POST, SAMLRequest and SAMLResponse alike', async () => {
    const ua = new UserAgent();
    for (const [name, xml] of Object.entries(payloads())) {
      for (const field of ['SAMLRequest', 'SAMLResponse']) {
        const res = await postLs(ua, lab, { [field]: b64(xml) });
        expect(res.headers['x-idp-harness-error'], `${name} as ${field}`).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
        expectErrorPage(res, 'ERR_SAML_DOCTYPE_FORBIDDEN', 'MSIS7012');
      }
    }
  });

  it('never fetched the attacker DTD or entity', () => {
    expect(dtdHits).toBe(0);
  });
});

describe('size limits before and after inflate', () => {
  it('an oversize encoded HTTP-POST SAMLRequest (70 KB of base64)', async () => {
    const big = b64(authnRequestXml(lab, { children: `<samlp:Extensions><x:p xmlns:x="urn:x">${'A'.repeat(52_000)}</x:p></samlp:Extensions>` }));
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(big.length).toBeLessThan(80 * 1024);
    expectErrorPage(await postLs(new UserAgent(), lab, { SAMLRequest: big }), 'ERR_SAML_REQUEST_TOO_LARGE', 'MSIS7012');
  });

  it('a form body beyond the body parser cap is refused as too large, not crashed on', async () => {
    const res = await postLs(new UserAgent(), lab, { SAMLRequest: 'A'.repeat(1024 * 1024) });
    expectErrorPage(res, 'ERR_HTTP_BODY_TOO_LARGE', 'MSIS7012');
  });

  it('a deflate bomb (14 KB on the wire, 10 MB inflated) stops at the cap, and the lab keeps serving', async () => {
    const bomb = authnRequestXml(lab, { children: `<samlp:Extensions><x:p xmlns:x="urn:x">${' '.repeat(10 * 1024 * 1024)}</x:p></samlp:Extensions>` });
    const query = redirectQuery(bomb);
    expect(query.length).toBeLessThan(15 * 1024);
    const res = await getLs(new UserAgent(), lab, query);
    expectErrorPage(res, 'ERR_SAML_REQUEST_TOO_LARGE', 'MSIS7012');
    await normalSignIn();
  });

  it('XML just over the inflated cap (128 KiB) is refused, just under it is parsed', async () => {
    const ua = new UserAgent();
    const pad = (n: number) => authnRequestXml(lab, { children: `<samlp:Extensions><x:p xmlns:x="urn:x">${' '.repeat(n)}</x:p></samlp:Extensions>` });
    const base = Buffer.byteLength(pad(0));
    expectErrorPage(await getLs(ua, lab, redirectQuery(pad(128 * 1024 - base + 1))), 'ERR_SAML_REQUEST_TOO_LARGE', 'MSIS7012');
    expectLoginPage(await getLs(ua, lab, redirectQuery(pad(128 * 1024 - base))));
  });
});

describe('the response goes only to a registered ACS (reference §4.1 #8)', () => {
  const unregistered = (res: Awaited<ReturnType<typeof getLs>>) => {
    expectErrorPage(res, 'ERR_SAML_ACS_UNREGISTERED', 'MSIS7070');
    expect(res.body).toContain('Relying party: idp-harness sample SP');
  };

  it('an AssertionConsumerServiceURL that is not registered, in every near-miss form', async () => {
    const ua = new UserAgent();
    const u = new URL(acs);
    for (const url of [
      'https://evil.example/acs',
      `${acs}/`,
      `${acs}?next=1`,
      `${acs}evil`,
      `${acs}#frag`,
      acs.toUpperCase(),
      `${u.protocol}//${u.hostname}:${Number(u.port) + 1}${u.pathname}`,
      acs.replace('http:', 'https:'),
      `${u.origin}/sample-sp/../sample-sp/acs`,
    ]) {
      unregistered(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { acsUrl: url }))));
      unregistered(await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab, { acsUrl: url })) }));
    }
  });

  it('an AssertionConsumerServiceIndex out of range (the registered index 0 works)', async () => {
    const ua = new UserAgent();
    for (const index of [1, 2, 65535]) {
      unregistered(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { acsIndex: index }))));
    }
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { acsIndex: 0 }))));
  });

  it('a ProtocolBinding other than HTTP-POST', async () => {
    const xml = authnRequestXml(lab, { protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' });
    unregistered(await getLs(new UserAgent(), lab, redirectQuery(xml)));
  });

  it('both URL and index (mutually exclusive, saml-core §3.4.1) is malformed, even when both are registered', async () => {
    const xml = authnRequestXml(lab, { acsUrl: acs, acsIndex: 0 });
    expectErrorPage(await getLs(new UserAgent(), lab, redirectQuery(xml)), 'ERR_SAML_REQUEST_MALFORMED', 'MSIS7012');
  });
});

describe('replay and freshness (reference §4.1 #7)', () => {
  it('a replayed AuthnRequest ID gets a signed Requester/RequestDenied response; the first one succeeded', async () => {
    const ua = new UserAgent();
    const id = newId();
    const xml = authnRequestXml(lab, { id });
    const working = await submitLogin(ua, await getLs(ua, lab, redirectQuery(xml, { relayState: 'first' })));
    expectSuccessResponse(working, lab, acs, id);

    // Same bytes again, then the same ID inside a new request over the other binding.
    for (const again of [
      await getLs(ua, lab, redirectQuery(xml, { relayState: 'again' })),
      await postLs(new UserAgent(), lab, { SAMLRequest: b64(authnRequestXml(lab, { id })), RelayState: 'again' }),
    ]) {
      const answer = expectStatusResponse(again, lab, {
        code: 'ERR_SAML_REQUEST_REPLAYED',
        top: STATUS.Requester,
        second: STATUS.RequestDenied,
        acs,
        inResponseTo: id,
      });
      expect(answer.relayState).toBe('again');
    }
  });

  it('a submitted sign-in form cannot be replayed into a second token, nor used after 15 minutes', async () => {
    const ua = new UserAgent();
    const login = await getLs(ua, lab, redirectQuery(authnRequestXml(lab)));
    const form = readForm(login.body, login.url);
    const creds = { ...form.fields, UserName: 'agent1', Password: 'Agent1Pass!' };
    expect((await ua.post(form.action, creds)).body).toContain('<title>Working...</title>');
    expectErrorPage(await new UserAgent().post(form.action, creds), 'ERR_SAML_LOGIN_FAILED', 'MSIS7012');

    const late = await getLs(new UserAgent(), lab, redirectQuery(authnRequestXml(lab)));
    const lateForm = readForm(late.body, late.url);
    lab.state.clock.advance(16 * 60_000);
    expectErrorPage(await new UserAgent().post(lateForm.action, { ...lateForm.fields, UserName: 'agent1', Password: 'Agent1Pass!' }), 'ERR_SAML_LOGIN_FAILED', 'MSIS7012');
  });

  it('an IssueInstant older than the 5-minute delivery window, or as far in the future', async () => {
    const ua = new UserAgent();
    for (const offset of [-6 * 60_000, -24 * 3600_000, 6 * 60_000]) {
      const id = newId();
      const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id, issueInstant: instant(Date.now() + offset) })));
      expectStatusResponse(res, lab, { code: 'ERR_SAML_REQUEST_EXPIRED', top: STATUS.Requester, second: STATUS.RequestDenied, acs, inResponseTo: id });
    }
    // Inside the window: accepted.
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issueInstant: instant(Date.now() - 4 * 60_000) }))));
  });

  it('a request that was fresh goes stale when the lab clock moves 6 minutes on', async () => {
    const ua = new UserAgent();
    const id = newId();
    const query = redirectQuery(authnRequestXml(lab, { id }));
    lab.state.clock.advance(6 * 60_000);
    const res = await getLs(ua, lab, query);
    expectStatusResponse(res, lab, { code: 'ERR_SAML_REQUEST_EXPIRED', top: STATUS.Requester, second: STATUS.RequestDenied, acs, inResponseTo: id });
    lab.state.clock.reset();
    expectLoginPage(await getLs(ua, lab, query));
  });
});

describe('protocol version (saml-core §4.1.3)', () => {
  it('an AuthnRequest with a Version other than 2.0 gets a signed VersionMismatch status, never a sign-in', async () => {
    const ua = new UserAgent();
    for (const version of ['1.1', '3.0', '2.00', 'x']) {
      const id = newId();
      const xml = authnRequestXml(lab, { id }).replace('Version="2.0"', `Version="${version}"`);
      expectStatusResponse(await getLs(ua, lab, redirectQuery(xml)), lab, {
        code: 'ERR_SAML_REQUEST_MALFORMED',
        top: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
        acs,
        inResponseTo: id,
      });
    }
  });

  it('a LogoutRequest likewise gets a signed LogoutResponse with VersionMismatch', async () => {
    const id = newId();
    const xml = logoutRequestXml(lab, { id, nameId: 'agent1@lab.example' }).replace('Version="2.0"', 'Version="1.0"');
    const res = await getLs(new UserAgent(), lab, redirectQuery(xml, { sign: { key: lab.state.pki.systems['sample-sp'].signing.privateKey, alg: 'rsa-sha256' } }));
    expect(res.headers['x-idp-harness-error']).toBe('ERR_SAML_REQUEST_MALFORMED');
    const answer = readRedirected(res);
    expect(answer.root.localName).toBe('LogoutResponse');
    expect(answer.inResponseTo).toBe(id);
    expect(answer.status).toEqual({ top: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch', second: undefined });
    expect(redirectSignedBy(answer, endpoints(lab).adfsCertPem)).toBe(true);
  });
});

describe('Destination (saml-bindings §3.4.5.2)', () => {
  it('a Destination naming another endpoint is refused; absent or with the same URL it is accepted', async () => {
    const ua = new UserAgent();
    const ls = endpoints(lab).ls;
    const u = new URL(ls);
    for (const destination of ['https://evil.example/adfs/ls/', `${u.protocol}//${u.hostname}:${Number(u.port) + 1}/adfs/ls/`, `${u.origin}/adfs/ls/other`, `${u.origin}/`]) {
      expectErrorPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { destination }))), 'ERR_SAML_DESTINATION_MISMATCH', 'MSIS7012');
      expectErrorPage(await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab, { destination })) }), 'ERR_SAML_DESTINATION_MISMATCH', 'MSIS7012');
    }
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { destination: null }))));
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { destination: ls.replace(/\/$/, '') }))));
  });
});

describe('RelayState (reference §4.1 #9)', () => {
  it('over 80 bytes is refused with MSIS7046, counted in bytes, over both bindings; 80 bytes pass', async () => {
    const ua = new UserAgent();
    for (const relayState of ['r'.repeat(81), '€'.repeat(27) /* 27 characters, 81 bytes */, 'x'.repeat(2000)]) {
      expectErrorPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab), { relayState })), 'ERR_SAML_RELAY_STATE_INVALID', 'MSIS7046');
      expectErrorPage(await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab)), RelayState: relayState }), 'ERR_SAML_RELAY_STATE_INVALID', 'MSIS7046');
    }
    const exactly80 = '€'.repeat(26) + 'ab';
    expect(Buffer.byteLength(exactly80)).toBe(80);
    const id = newId();
    const working = await submitLogin(ua, await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id }), { relayState: exactly80 })));
    expect(expectSuccessResponse(working, lab, acs, id).relayState).toBe(exactly80);
  });

  it('is echoed HTML-escaped on the Working page, and a form parser recovers it byte for byte', async () => {
    const relayState = `"><script>alert(1)</script>`;
    for (const binding of ['redirect', 'post'] as const) {
      const ua = new UserAgent();
      const id = newId();
      const first =
        binding === 'redirect'
          ? await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id }), { relayState }))
          : await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab, { id })), RelayState: relayState });
      const working = await submitLogin(ua, first);
      expect(working.body).not.toContain('<script>alert');
      expect(working.body).toContain('<input type="hidden" name="RelayState" value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;" />');
      expect(expectSuccessResponse(working, lab, acs, id).relayState).toBe(relayState);
    }
  });

  it('is escaped on a status response too (a replayed request echoing hostile RelayState)', async () => {
    const ua = new UserAgent();
    const xml = authnRequestXml(lab);
    expectLoginPage(await getLs(ua, lab, redirectQuery(xml)));
    const replay = await getLs(ua, lab, redirectQuery(xml, { relayState: `'><img src=x onerror=alert(1)>` }));
    expect(replay.body).not.toContain('<img');
    expect(readForm(replay.body, replay.url).fields['RelayState']).toBe(`'><img src=x onerror=alert(1)>`);
  });
});

describe('IdP-initiated RelayState (reference §1.9, §4.1 #9)', () => {
  const page = (outer: string) => `${endpoints(lab).idpInitiated}?RelayState=${encodeURIComponent(outer)}`;
  const rpid = (id: string, inner?: string) => `RPID=${encodeURIComponent(id)}${inner === undefined ? '' : `&RelayState=${encodeURIComponent(inner)}`}`;

  it('an unknown RPID is MSIS7007; no RPID or an inner RelayState over 80 bytes is MSIS7046', async () => {
    const ua = new UserAgent();
    expectErrorPage(await ua.get(page(rpid('urn:evil:nobody', '/home'))), 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    expectErrorPage(await ua.get(page(`RelayState=${encodeURIComponent('/home')}`)), 'ERR_SAML_RELAY_STATE_INVALID', 'MSIS7046');
    expectErrorPage(await ua.get(page(rpid('urn:idp-harness:sample-sp', 'r'.repeat(81)))), 'ERR_SAML_RELAY_STATE_INVALID', 'MSIS7046');
  });

  it('a URL in the inner RelayState is only passed on to the RP, escaped; AD FS never redirects to it', async () => {
    const ua = new UserAgent();
    const target = 'https://evil.example/"><script>x()</script>';
    const first = await ua.get(page(rpid('urn:idp-harness:sample-sp', target)));
    expect(first.status).toBe(200);
    const working = await submitLogin(ua, first);
    expect(working.status).toBe(200);
    expect(working.location).toBeUndefined();
    expect(working.body).not.toContain('<script>x()');
    expect(expectSuccessResponse(working, lab, acs, undefined).relayState).toBe(target);
  });
});

describe('the forms sign-in page', () => {
  it('echoes a rejected user name HTML-escaped', async () => {
    const ua = new UserAgent();
    const refused = await submitLogin(ua, await getLs(ua, lab, redirectQuery(authnRequestXml(lab))), '"><script>alert(1)</script>', 'wrong');
    expect(refused.headers['x-idp-harness-error']).toBe('ERR_SAML_LOGIN_FAILED');
    expect(refused.body).not.toContain('<script>alert');
    expect(readForm(refused.body, refused.url).fields['UserName']).toBe('"><script>alert(1)</script>');
  });
});

describe('comment injection in the Issuer (CVE-2017-11427 family, reference §4.1 #2)', () => {
  it('`urn:idp-harness:sample-sp<!---->.evil` is read in full and matches no relying party', async () => {
    const ua = new UserAgent();
    for (const issuer of ['urn:idp-harness:sample-sp<!---->.evil', 'urn:idp-harness:sample-sp<!-- x -->.evil<!---->', 'urn:idp-harness:sample-sp<![CDATA[.evil]]>']) {
      const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer })));
      expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
      expect(res.body).toContain('urn:idp-harness:sample-sp.evil');
      expectErrorPage(await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab, { issuer })) }), 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    }
  });
});
