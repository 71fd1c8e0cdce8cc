import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/finesse/api/simulate-call.js';
import { basic, FinesseLab, names } from './finesse-lab.js';
import { prng } from '../helpers/prng.js';

/**
 * Garbage in, Finesse errors out (DESIGN §5: "never a crash or a 500"). A bounded, seeded stream
 * of malformed requests against every resource of the REST API, as signed-in users (so the
 * garbage gets past authentication) and as nobody: no answer is 500, every error is `<ApiErrors>`
 * XML with our code, and the service still answers afterwards.
 */
const SEED = 0x0f1_e55e;
const REQUESTS = 400;


class Garbage {
  constructor(private readonly r: () => number) {}
  int(max: number): number {
    return Math.floor(this.r() * max);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  ascii(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + this.int(95));
    return s;
  }
  /** A value meant to break a reader: odd characters, markup, sizes. */
  value(): string {
    return this.pick([
      '',
      ' ',
      'READY',
      'NOT_READY',
      'LOGIN',
      'LOGOUT',
      'TALKING',
      '-1',
      '0',
      '99999999999999999999',
      '1e9',
      '3001',
      '3002',
      '5550100',
      '<x/>',
      '&amp;&lt;',
      ']]>',
      '\u0000\u0001',
      '\uD800',
      '😀',
      'x'.repeat(this.int(5000)),
      this.ascii(this.int(64)),
    ]);
  }
  element(name: string): string {
    return this.pick([`<${name}>${escapeIfLegal(this.value())}</${name}>`, `<${name}/>`, `<${name}>`, `</${name}>`, `<${name} a="${this.ascii(5)}">${escapeIfLegal(this.value())}</${name}>`, '']);
  }
  /** A plausible request for the resource (so that its rules run), or garbage. */
  body(kind: 'User' | 'Dialog', ext: string, plausible: boolean): string {
    if (plausible || this.int(4) === 0) {
      if (kind === 'User') {
        return `<User><state>${this.pick(['LOGIN', 'READY', 'NOT_READY', 'LOGOUT', 'WORK', 'WORK_READY', 'TALKING', 'x'])}</state><extension>${this.pick([ext, ext, '4001'])}</extension>${this.pick(['', '<reasonCodeId>1</reasonCodeId>', '<reasonCodeId>4</reasonCodeId>', '<reasonCodeId>-1</reasonCodeId>', '<reasonCodeId>x</reasonCodeId>'])}</User>`;
      }
      const action = this.pick(['MAKE_CALL', 'ANSWER', 'ANSWER', 'HOLD', 'RETRIEVE', 'DROP', 'TRANSFER_SST', 'CONSULT_CALL', 'SEND_DTMF', 'UPDATE_CALL_DATA', 'CONFERENCE', '']);
      return `<Dialog><requestedAction>${action}</requestedAction><targetMediaAddress>${this.pick([ext, ext, '3002', '5550100'])}</targetMediaAddress><fromAddress>${ext}</fromAddress><toAddress>${this.pick(['3001', '3002', '3003', '5550001', '', 'x'])}</toAddress><actionParams><ActionParam><name>dtmfString</name><value>${this.pick(['1', '#*', 'x', ''])}</value></ActionParam></actionParams><mediaProperties><callvariables><CallVariable><name>${this.pick(['callVariable1', 'bad'])}</name><value>${escapeIfLegal(this.value())}</value></CallVariable></callvariables></mediaProperties></Dialog>`;
    }
    const root = this.pick(['User', 'Dialog', 'Dialogs', 'x', 'ApiErrors']);
    const fields = ['state', 'extension', 'reasonCodeId', 'requestedAction', 'fromAddress', 'toAddress', 'targetMediaAddress', 'mediaProperties', 'actionParams'];
    const inner = Array.from({ length: this.int(6) }, () => this.element(this.pick(fields))).join('');
    return this.pick([
      `<${root}>${inner}</${root}>`,
      `<?xml version="1.0"?><${root}>${inner}</${root}>`,
      `<${root}>${inner}`,
      `<!DOCTYPE ${root} [<!ENTITY e "${this.ascii(8).replace(/["&%<]/g, '')}">]><${root}>&e;</${root}>`,
      '<a>'.repeat(this.int(4000)),
      this.ascii(this.int(300)),
      '',
    ]);
  }
}

function escapeIfLegal(s: string): string {
  return s.replace(/&(?!amp;|lt;)/g, '&amp;').replace(/</g, '&lt;');
}

const LOGIN_IDS: Record<string, string> = { agent1: '1001', agent2: '1002', supervisor1: '2001', nonsso1: '1003' };
const EXTENSIONS: Record<string, string> = { agent1: '3001', agent2: '3002', supervisor1: '4001', nonsso1: '3003' };

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());

describe('the REST API under garbage', () => {
  it(`answers ${REQUESTS} malformed requests without a 500, always in <ApiErrors> when refused, and keeps serving`, async () => {
    const g = new Garbage(prng(SEED));
    const rt = f.lab.state.finesse!.runtime;
    const seen = new Map<number, number>();
    const codes = new Set<string>();
    for (let i = 0; i < REQUESTS; i++) {
      if (i % 40 === 0) {
        // Keep the stream useful: nobody stays locked out or signed out, and there are calls to act on.
        f.lab.state.finesse!.lockout.clear();
        for (const [username, loginId] of Object.entries(LOGIN_IDS)) {
          if (rt.agent(loginId).state === 'LOGOUT') await f.ready(username);
        }
        for (const to of ['1001', '1002', '1003']) {
          try {
            simulateCall(rt, { to });
          } catch {
            // not READY: fine
          }
        }
      }
      const dialogs = rt.dialogs().map((d) => d.id);
      // A third of the stream is a signed-in user's plausible request on their own objects, so that
      // the state machine and the call engine run; the rest is garbage anywhere.
      const plausible = g.int(3) === 0;
      const auth = plausible ? g.pick(Object.keys(LOGIN_IDS)) : g.pick(['agent1', 'agent2', 'supervisor1', 'nonsso1', 'none', 'garbage', 'ghost']);
      const own = auth in LOGIN_IDS ? LOGIN_IDS[auth]! : '1001';
      const id = plausible || g.int(4) !== 0 ? own : g.pick(['1001', '1002', '1003', '2001', 'agent1', 'nonsso1', '%E0%A4%A', 'x'.repeat(g.int(3000)), '..', '%2e%2e', '0', '-1']);
      const mine = rt.dialogsOf(own).map((d) => d.id);
      const dialogId = plausible && mine.length > 0 ? g.pick(mine) : g.pick([...dialogs, '16777217', 'x', '%zz', '']);
      // Mostly a method the resource has, so that the garbage reaches its rules; sometimes any.
      const routes: Array<readonly [string, string]> = [
        ['PUT', `/User/${id}`],
        ['PUT', `/User/${id}`],
        ['GET', `/User/${id}`],
        ['POST', `/User/${id}/Dialogs`],
        ['GET', `/User/${id}/Dialogs`],
        ['PUT', `/Dialog/${dialogId}`],
        ['PUT', `/Dialog/${dialogId}`],
        ['GET', `/Dialog/${dialogId}`],
        ['GET', `/User/${id}/ReasonCodes?category=${g.pick(['ALL', 'NOT_READY', '', 'x', '%', 'ALL&category=LOGOUT'])}`],
        ['GET', '/SystemInfo'],
        ['GET', `/UserAuthMode?username=${g.pick(['agent1', '', '%', 'x'.repeat(500)])}`],
        [g.pick(['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']), g.pick([`/User/${id}`, `/Dialog/${dialogId}`, `/${g.ascii(8).replace(/[?#% ]/g, '')}`])],
      ];
      // (the first eight are the user's own resources)
      const [method, path] = g.pick(plausible ? routes.slice(0, 8) : routes);
      const headers: Record<string, string> = {};
      if (auth === 'garbage') headers['authorization'] = g.pick(['Bearer ', 'Bearer x.y.z', 'Basic', 'Basic ====', `Bearer ${g.ascii(200)}`, g.ascii(30)]).replace(/[^\x20-\x7e]/g, '');
      else if (auth === 'ghost') headers['authorization'] = basic('ghost', g.ascii(6));
      else if (auth !== 'none') headers['authorization'] = f.authorization(auth);
      headers['content-type'] = plausible || g.int(3) !== 0 ? 'application/xml' : g.pick(['text/xml', 'application/xml; charset=utf-8', 'text/plain', 'application/xml; charset=bogus', '', 'xml/application']);
      if (g.int(4) === 0) headers['requestId'] = g.ascii(g.int(100)).trim();
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const bodyText = hasBody ? g.body(path.startsWith('/Dialog') || path.endsWith('/Dialogs') ? 'Dialog' : 'User', EXTENSIONS[auth] ?? '3001', plausible) : undefined;
      const res = await fetch(f.api + path, { method, headers, ...(hasBody ? { body: bodyText } : {}) });
      const text = await res.text();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      codes.add(res.headers.get('x-idp-harness-error') ?? String(res.status));
      const what = `#${i} ${method} ${path.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`;
      expect(res.status, what).not.toBe(500);
      expect(res.status, what).toBeLessThan(502);
      if (res.status >= 400) {
        expect(res.headers.get('x-idp-harness-error'), what).toMatch(/^ERR_/);
        if (method !== 'HEAD') expect(text, what).toContain('<ApiErrors><ApiError>');
      }
    }
    // The stream reached the rules, not only the front door: accepted changes and refusals at every layer.
    expect(seen.get(202) ?? 0).toBeGreaterThan(0);
    for (const code of ['ERR_FINESSE_UNAUTHORIZED', 'ERR_FINESSE_CONTENT_TYPE', 'ERR_FINESSE_MALFORMED_XML', 'ERR_FINESSE_INVALID_STATE', 'ERR_FINESSE_INVALID_INPUT']) {
      expect(codes, code).toContain(code);
    }

    const after = await f.get('nonsso1', '/User/1003');
    expect(after.status).toBe(200);
    expect(names(after.root!)).toContain('state');
  });
});
