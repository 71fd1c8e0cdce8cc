import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectApiError, FinesseLab, type FinesseResponse } from './finesse-lab.js';

/**
 * What a PUT/POST body must be before any rule looks at it (reference A.2.1: Content-Type
 * application/xml; DESIGN §3: size cap, no DOCTYPE, a linear-time parser). Every refusal is
 * a Finesse `<ApiErrors>` 400 and leaves the agent's state alone.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(async () => {
  f.reset();
  await f.login('nonsso1');
});

const READY = '<User><state>READY</state></User>';
const putRaw = (body: string | Uint8Array, headers: Record<string, string | undefined>) =>
  f.call('nonsso1', 'PUT', '/User/1003', { body: body as string, headers });

async function expectUnchanged(): Promise<void> {
  expect(await f.state('nonsso1')).toBe('NOT_READY');
}

describe('Content-Type', () => {
  it.each(['text/plain', 'application/json', 'application/x-www-form-urlencoded', 'application/xhtml+xml', 'xml'])(
    '%s: 400 Bad Request (ERR_FINESSE_CONTENT_TYPE)',
    async (type) => {
      expectApiError(await putRaw(READY, { 'content-type': type }), 400, 'ERR_FINESSE_CONTENT_TYPE', 'Bad Request');
      await expectUnchanged();
    },
  );

  it('none at all: 400 Bad Request (ERR_FINESSE_CONTENT_TYPE)', async () => {
    // A byte body: fetch adds no Content-Type of its own.
    const res = await fetch(`${f.api}/User/1003`, { method: 'PUT', headers: { authorization: f.authorization('nonsso1') }, body: new TextEncoder().encode(READY) });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-idp-harness-error')).toBe('ERR_FINESSE_CONTENT_TYPE');
    await expectUnchanged();
  });

  it.each(['application/xml', 'text/xml', 'application/xml; charset=utf-8', 'Application/XML'])('%s is accepted', async (type) => {
    expect((await putRaw(READY, { 'content-type': type })).status).toBe(202);
    expect(await f.state('nonsso1')).toBe('READY');
  });

  it('an unknown charset: 400 Bad Request', async () => {
    expectApiError(await putRaw(READY, { 'content-type': 'application/xml; charset=x-klingon' }), 400, 'ERR_HTTP_BAD_REQUEST', 'Bad Request');
  });
});

describe('the XML itself', () => {
  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['blank', '   \n'],
    ['unclosed', '<User><state>READY</state>'],
    ['mismatched', '<User><state>READY</User></state>'],
    ['not XML', 'state=READY'],
    ['two roots', '<User/><User/>'],
    ['undefined entity', '<User><state>&ready;</state></User>'],
    ['bad attribute', '<User a=1><state>READY</state></User>'],
    ['60 KB of unclosed markup', '<b>'.repeat(20_000)],
    ['nesting beyond the parser depth cap', '<a>'.repeat(3000) + '</a>'.repeat(3000)],
  ];
  it.each(malformed)('%s: 400 Bad Request (ERR_FINESSE_MALFORMED_XML)', async (_name, body) => {
    expectApiError(await putRaw(body, {}), 400, 'ERR_FINESSE_MALFORMED_XML', 'Bad Request');
    await expectUnchanged();
  });

  it('any DOCTYPE is refused before parsing (XXE, entity expansion)', async () => {
    const bodies = [
      '<!DOCTYPE User [<!ENTITY s "READY">]><User><state>&s;</state></User>',
      '<?xml version="1.0"?><!DOCTYPE User SYSTEM "file:///etc/passwd"><User><state>READY</state></User>',
      '<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><User><state>&c;</state></User>',
      '<User><!-- <!doctype x> --><state>READY</state></User>',
    ];
    for (const body of bodies) {
      const res = await putRaw(body, {});
      expectApiError(res, 400, 'ERR_FINESSE_MALFORMED_XML', 'Bad Request');
      expect(res.text).not.toContain('root:');
    }
    await expectUnchanged();
  });

  it('more than 64 KiB: 400 Bad Request (ERR_HTTP_BODY_TOO_LARGE)', async () => {
    const body = `<User><state>READY</state><pad>${'x'.repeat(70 * 1024)}</pad></User>`;
    expectApiError(await putRaw(body, {}), 400, 'ERR_HTTP_BODY_TOO_LARGE', 'Bad Request');
    await expectUnchanged();
  });

  it('a gzip body inflating beyond 64 KiB: 400 Bad Request (ERR_HTTP_BODY_TOO_LARGE)', async () => {
    const body = gzipSync(Buffer.from(`<User><state>READY</state><pad>${' '.repeat(1024 * 1024)}</pad></User>`));
    expect(body.length).toBeLessThan(8 * 1024);
    const res = await fetch(`${f.api}/User/1003`, {
      method: 'PUT',
      headers: { authorization: f.authorization('nonsso1'), 'content-type': 'application/xml', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-idp-harness-error')).toBe('ERR_HTTP_BODY_TOO_LARGE');
    await expectUnchanged();
  });

  it('another root element: 400 Invalid Input', async () => {
    const res: FinesseResponse = await putRaw('<Dialog><state>READY</state></Dialog>', {});
    expect(expectApiError(res, 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input')).toBe('Dialog');
    await expectUnchanged();
  });

  it('a repeated element: 400 Invalid Input (which one was meant is unknowable)', async () => {
    expectApiError(await putRaw('<User><state>READY</state><state>LOGOUT</state></User>', {}), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    await expectUnchanged();
  });

  it('what XML allows is read as XML: declaration, comments, CDATA, character references, blanks, a namespace', async () => {
    const body = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- desktop --><User xmlns="urn:any">\n  <state><![CDATA[NOT_]]>&#82;EADY</state>\n  <reasonCodeId> 2 </reasonCodeId>\n  <unknownElement>ignored</unknownElement>\n</User>';
    expect((await putRaw(body, {})).status).toBe(202);
    expect(await f.state('nonsso1')).toBe('NOT_READY');
    const u = await f.user('nonsso1');
    expect(u.getElementsByTagName('reasonCodeId')[0]!.textContent).toBe('2');
  });
});
