import { expect } from 'vitest';
import type { Lab } from '../../src/lab.js';

/** The fixture authenticators and users (fixtures/cxone/*.json). */
export const FIXTURE = {
  systemDefault: '0f6b1d3e-2c4a-4e8b-9a1d-5c7e9f0a1b21',
  labAdfs: '5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51',
  labOidc: '9c3d7e5f-1a2b-4c8d-9e0f-1a2b3c4d5e61',
  sam: '3d2a9f10-6b7c-4d8e-9f01-a2b3c4d5e6f7',
  agent1: '4e3b0a21-7c8d-4e9f-8a12-b3c4d5e6f708',
  agent2: '5f4c1b32-8d9e-4f0a-9b23-c4d5e6f70819',
} as const;

export const ADMIN_USER = 'cxone.admin';
export const ADMIN_PASSWORD = 'CxoneAdmin1!';
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const ADMIN_AUTH = basic(ADMIN_USER, ADMIN_PASSWORD);

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; `any` because tests read nested fields of many shapes. */
  json: any;
}

/**
 * One admin API call: JSON in (or `raw` text), JSON out. `auth: null` sends no Authorization
 * header; a string replaces the admin's.
 */
export async function adminApi(
  lab: Lab,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: string | null; raw?: string; contentType?: string } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? ADMIN_AUTH : opts.auth;
  if (auth !== null) headers['authorization'] = auth;
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${lab.urls.cxone}/api/v1${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * An admin API refusal: the status, the stable code (body and X-Idp-Harness-Error), and, when
 * given, exactly these field errors (field and code, in any order).
 */
export function expectRefusal(r: ApiAnswer, status: number, code: string, fields?: Array<[field: string, code: string]>): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type') ?? '', r.text).toMatch(/^application\/json/);
  expect(r.json?.code, r.text).toBe(code);
  expect(r.headers.get('x-idp-harness-error')).toBe(code);
  if (fields) {
    const got = ((r.json?.fieldErrors ?? []) as Array<{ field: string; code: string }>).map((e) => `${e.field} ${e.code}`).sort();
    expect(got, r.text).toEqual(fields.map(([f, c]) => `${f} ${c}`).sort());
  }
}

/** The fields an answer's fieldErrors name. */
export const fieldsOf = (r: ApiAnswer): string[] => ((r.json?.fieldErrors ?? []) as Array<{ field: string }>).map((e) => e.field);

/** The IdP signing certificate the lab's AD FS uses: a valid PEM for SAML authenticators. */
export const adfsCertificate = (lab: Lab): string => lab.state.pki.systems.adfs.signing.certPem;

export function samlAuthenticator(lab: Lab, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Partner SAML',
    description: 'Contoso AD FS',
    type: 'SAML',
    saml: { endpointUrl: 'https://idp.partner.example/adfs/ls/', certificate: adfsCertificate(lab), ficam: false },
    ...over,
  };
}

export function oidcAuthenticator(over: Record<string, unknown> = {}, oidc: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Partner OIDC',
    type: 'OIDC',
    oidc: {
      issuer: 'https://login.partner.example',
      jwksUri: 'https://login.partner.example/keys',
      authorizationEndpoint: 'https://login.partner.example/authorize',
      tokenEndpoint: 'https://login.partner.example/token',
      clientId: 'cxone-partner',
      clientSecret: 'partner-secret-0123456789',
      clientSecretConfirm: 'partner-secret-0123456789',
      clientAuthMethod: 'client_secret_basic',
      ...oidc,
    },
    ...over,
  };
}
