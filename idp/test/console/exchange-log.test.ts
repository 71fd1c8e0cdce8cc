import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/shared/clock.js';
import { EXCHANGE_LIMITS } from '../../src/shared/exchange-caps.js';
import { ExchangeLog, type ExchangeInput } from '../../src/shared/exchange-log.js';

/**
 * The exchange log on its own: a bounded ring in recording order (a reserved slot keeps its place),
 * real and lab time on each entry, capped payloads, the filters the control API exposes, and
 * listeners that cannot break a service.
 */

const REAL = Date.parse('2030-01-01T00:00:00.000Z');

function setup(capacity = 500) {
  let real = REAL;
  const clock = new Clock(() => real);
  const log = new ExchangeLog(clock, capacity, () => real);
  return { log, clock, tick: (ms = 1) => (real += ms) };
}

const input = (summary: string, extra: Partial<ExchangeInput> = {}): ExchangeInput => ({ service: 'adfs', kind: 'saml', direction: 'in', summary, ...extra });

describe('ExchangeLog', () => {
  it('stamps real time and lab time, and gives ids unique to this process', () => {
    const { log, clock, tick } = setup();
    clock.advance(3_600_000);
    const a = log.record(input('first'));
    tick();
    const b = log.record(input('second'));
    expect(a).toMatchObject({ seq: 1, at: '2030-01-01T00:00:00.000Z', labAt: '2030-01-01T01:00:00.000Z', payload: {} });
    expect(b.seq).toBe(2);
    expect(a.id).toMatch(/^[0-9a-f]{8}-1$/);
    expect(b.id).toBe(a.id.replace(/-1$/, '-2'));
    expect(new ExchangeLog(clock).record(input('other')).id).not.toBe(a.id);
  });

  it('keeps the newest `capacity` exchanges, oldest first', () => {
    const { log } = setup(3);
    for (let i = 1; i <= 5; i++) log.record(input(`n${i}`));
    expect(log.list().map((e) => e.summary)).toEqual(['n3', 'n4', 'n5']);
    expect(log.size).toBe(3);
    expect(log.list({}, 2).map((e) => e.summary)).toEqual(['n4', 'n5']);
  });

  it('a reserved slot is listed where it was taken, even when committed after later ones', () => {
    const { log, tick } = setup();
    const request = log.reserve();
    tick(5);
    log.record(input('the response its handling sent', { direction: 'out' }));
    tick(5);
    const committed = request.commit(input('the request'));
    expect(committed.at).toBe('2030-01-01T00:00:00.000Z');
    expect(log.list().map((e) => e.summary)).toEqual(['the request', 'the response its handling sent']);
  });

  it('caps every free-text field, whatever a client sent', () => {
    const { log } = setup();
    const huge = 'x'.repeat(200_000);
    const e = log.record(
      input(huge, {
        path: huge,
        user: huge,
        code: huge,
        payload: { samlXml: huge, jwt: [huge, 'a', 'b', 'c', 'd', 'e'], http: { requestBody: huge, responseBody: huge }, signature: { status: 'invalid', detail: huge } },
      }),
    );
    expect(e.summary.length).toBeLessThan(EXCHANGE_LIMITS.summaryChars + 60);
    expect(e.payload.samlXml!.length).toBeLessThan(EXCHANGE_LIMITS.xmlChars + 60);
    expect(e.payload.samlXml).toMatch(/…\[\d+ more characters not kept\]$/);
    expect(e.payload.jwt).toHaveLength(EXCHANGE_LIMITS.jwts);
    expect(e.payload.jwt![0]!.length).toBeLessThan(EXCHANGE_LIMITS.jwtChars + 60);
    expect(e.payload.http!.requestBody!.length).toBeLessThan(EXCHANGE_LIMITS.bodyChars + 60);
    expect(e.payload.http!.responseBody!.length).toBeLessThan(EXCHANGE_LIMITS.bodyChars + 60);
    expect(e.payload.signature!.detail!.length).toBeLessThan(EXCHANGE_LIMITS.fieldChars + 60);
    expect(e.path!.length + e.user!.length + e.code!.length).toBeLessThan(2 * EXCHANGE_LIMITS.fieldChars + 300);
    expect(JSON.stringify(e).length).toBeLessThan(120_000);
  });

  it('filters by service, kind, user (whole name or the part before @), text and time', () => {
    const { log, tick } = setup();
    log.record(input('AuthnRequest', { user: 'agent1' }));
    tick(10);
    log.record(input('cx', { service: 'cxone', user: 'Agent1@lab.example', code: 'ERR_CXONE_SAML_AUDIENCE' }));
    tick(10);
    log.record(input('token', { service: 'oidc', kind: 'oidc', direction: 'out', user: 'agent2', payload: { jwt: ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln'] } }));
    const names = (f: Parameters<ExchangeLog['list']>[0]) => log.list(f).map((e) => e.summary);
    expect(names({ service: 'cxone' })).toEqual(['cx']);
    expect(names({ kind: 'oidc' })).toEqual(['token']);
    expect(names({ user: 'AGENT1' })).toEqual(['AuthnRequest', 'cx']);
    expect(names({ user: 'agent1@lab.example' })).toEqual(['cx']);
    expect(names({ user: 'agent' })).toEqual([]);
    expect(names({ q: 'saml_audience' })).toEqual(['cx']);
    expect(names({ q: 'eyjhbgcioijsuzi1nij9' })).toEqual(['token']);
    expect(names({ since: REAL + 10 })).toEqual(['token']);
    expect(names({ since: REAL + 9, service: 'oidc' })).toEqual(['token']);
    expect(names({ since: REAL + 20 })).toEqual([]);
  });

  it('tells listeners of each exchange; one that throws breaks nothing, one that left hears nothing', () => {
    const { log } = setup();
    const heard: string[] = [];
    const off = log.subscribe((e) => heard.push(e.summary));
    log.subscribe(() => {
      throw new Error('a client went away');
    });
    expect(log.record(input('one')).summary).toBe('one');
    off();
    log.record(input('two'));
    expect(heard).toEqual(['one']);
    expect(log.list().map((e) => e.summary)).toEqual(['one', 'two']);
  });
});
