import { httpCall, type HttpAnswer } from './http-json.js';

/**
 * The CXone admin REST API (`/api/v1`, docs/cxone.md "Administration") as a small typed client,
 * authenticated with the tenant administrator's HTTP Basic credentials (`cxone.admin` of the lab
 * configuration). A refusal is a `CxoneAdminError` carrying the API's stable `code` and the codes
 * of its field errors, so a caller can assert on codes rather than prose.
 */
export interface CxoneFieldError {
  field: string;
  code: string;
  message?: string;
}

export class CxoneAdminError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fieldErrors: readonly CxoneFieldError[] = [],
  ) {
    super(`${code} (${status}): ${message}${fieldErrors.length ? ` [${fieldErrors.map((f) => `${f.field}: ${f.code}`).join(', ')}]` : ''}`);
    this.name = 'CxoneAdminError';
  }
}

/** An object as the admin API shows it (authenticators and users have many fields; callers read what they need). */
export type CxoneRecord = Record<string, any>;

export interface CxoneAdmin {
  /** One call; resolves to the parsed body on 2xx, throws `CxoneAdminError` otherwise. */
  call(method: string, path: string, body?: unknown): Promise<CxoneRecord>;
  authenticators: {
    get(idOrName: string): Promise<CxoneRecord>;
    create(input: CxoneRecord): Promise<CxoneRecord>;
    patch(id: string, patch: CxoneRecord): Promise<CxoneRecord>;
    remove(id: string): Promise<void>;
  };
  users: {
    get(idOrUsername: string): Promise<CxoneRecord>;
    create(input: CxoneRecord): Promise<CxoneRecord>;
    patch(id: string, patch: CxoneRecord): Promise<CxoneRecord>;
    remove(id: string): Promise<void>;
    unlock(id: string): Promise<CxoneRecord>;
    resetPassword(id: string, password: string, mustChangePassword?: boolean): Promise<CxoneRecord>;
  };
}

export interface CxoneAdminOptions {
  username: string;
  password: string;
  /** The lab CA (PEM) when CXone runs on TLS. */
  ca?: string;
}

export function cxoneAdmin(cxoneUrl: string, opts: CxoneAdminOptions): CxoneAdmin {
  const base = `${cxoneUrl.replace(/\/+$/, '')}/api/v1`;
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown): Promise<CxoneRecord> => {
    const res = await httpCall(`${base}${path}`, { method, headers: { authorization }, ...(body !== undefined && { body }), ...(opts.ca && { ca: opts.ca }) });
    if (res.status >= 200 && res.status < 300) return (res.json ?? {}) as CxoneRecord;
    throw refusal(method, path, res);
  };
  const enc = encodeURIComponent;
  return {
    call,
    authenticators: {
      get: (key) => call('GET', `/login-authenticators/${enc(key)}`),
      create: (input) => call('POST', '/login-authenticators', input),
      patch: (id, patch) => call('PATCH', `/login-authenticators/${enc(id)}`, patch),
      remove: async (id) => {
        await call('DELETE', `/login-authenticators/${enc(id)}`);
      },
    },
    users: {
      get: (key) => call('GET', `/users/${enc(key)}`),
      create: (input) => call('POST', '/users', input),
      patch: (id, patch) => call('PATCH', `/users/${enc(id)}`, patch),
      remove: async (id) => {
        await call('DELETE', `/users/${enc(id)}`);
      },
      unlock: (id) => call('POST', `/users/${enc(id)}/unlock`),
      resetPassword: (id, password, mustChangePassword = true) => call('POST', `/users/${enc(id)}/password`, { password, mustChangePassword }),
    },
  };
}

function refusal(method: string, path: string, res: HttpAnswer): CxoneAdminError {
  const body = (res.json ?? {}) as { code?: string; message?: string; fieldErrors?: CxoneFieldError[] };
  const code = body.code ?? (typeof res.headers['x-idp-harness-error'] === 'string' ? res.headers['x-idp-harness-error'] : 'ERR_CXONE_ADMIN_HTTP');
  return new CxoneAdminError(code, res.status, body.message ?? `${method} /api/v1${path} answered ${res.status}`, body.fieldErrors ?? []);
}
