import type { ExchangeInput, ExchangePayload } from './exchange-log.js';

/** Caps: one exchange holds at most about 100 KB, whatever a client sent. */
export const EXCHANGE_LIMITS = { xmlChars: 64 * 1024, jwtChars: 16 * 1024, jwts: 4, bodyChars: 8 * 1024, summaryChars: 300, fieldChars: 500 } as const;

function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[${s.length - max} more characters not kept]`;
}

function capOpt(s: string | undefined, max: number): string | undefined {
  return s === undefined ? undefined : cap(s, max);
}

/** The input with every free-text field capped (values from clients can be of any size). */
export function capped(input: ExchangeInput): ExchangeInput & { payload: ExchangePayload } {
  const L = EXCHANGE_LIMITS;
  const p = input.payload ?? {};
  const payload: ExchangePayload = {};
  if (p.samlXml !== undefined) payload.samlXml = cap(p.samlXml, L.xmlChars);
  if (p.signature) payload.signature = { status: p.signature.status, ...(p.signature.detail === undefined ? {} : { detail: cap(p.signature.detail, L.fieldChars) }) };
  if (p.jwt?.length) payload.jwt = p.jwt.slice(0, L.jwts).map((t) => cap(t, L.jwtChars));
  if (p.http) {
    const requestBody = capOpt(p.http.requestBody, L.bodyChars);
    const responseBody = capOpt(p.http.responseBody, L.bodyChars);
    payload.http = { ...(requestBody === undefined ? {} : { requestBody }), ...(responseBody === undefined ? {} : { responseBody }) };
  }
  const out: ExchangeInput & { payload: ExchangePayload } = {
    service: input.service,
    kind: input.kind,
    direction: input.direction,
    summary: cap(input.summary, L.summaryChars),
    payload,
  };
  const method = capOpt(input.method, 16);
  const path = capOpt(input.path, L.fieldChars);
  const user = capOpt(input.user, L.fieldChars);
  const code = capOpt(input.code, 100);
  if (method !== undefined) out.method = method;
  if (path !== undefined) out.path = path;
  if (input.status !== undefined) out.status = input.status;
  if (user !== undefined) out.user = user;
  if (code !== undefined) out.code = code;
  return out;
}
