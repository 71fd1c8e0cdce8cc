import type { LabConfig } from '../../../../idp/src/config/schema.js';
import { httpLabControl, type LabControl } from '../../control/lab-control.js';
import { describeSendError, send, SendError } from '../http.js';

/** A step of the live test that could not be done; `code` is the report's stable code. */
export class LiveError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the live test needs of a running lab: its control API, CXone's admin API, and where its IdPs are. */
export interface LabAccess {
  control: LabControl;
  cxoneUrl: string;
  adfsUrl: string | undefined;
  /** The lab's OpenID Provider issuers (id → issuer URL). */
  oidcIssuers: Array<{ id: string; url: string }>;
  /** One CXone admin API call (`/api/v1…`), HTTP Basic with the lab's configured tenant administrator. */
  admin(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Connects to a running lab through its console (`--lab`): the services' URLs and the resolved
 * configuration (for the CXone administrator's credentials, `cxone.admin`) from the control API.
 */
export async function connectLab(consoleUrl: string, ca: string[]): Promise<LabAccess> {
  const control = httpLabControl(consoleUrl, ca.length > 0 ? { ca: ca.join('\n') } : {});
  let services: Awaited<ReturnType<LabControl['services']>>;
  let config: LabConfig;
  try {
    // The control client has no timeout of its own: a console that accepts and never answers must not hold the command.
    [services, config] = await withTimeout(Promise.all([control.services(), control.config()]), 15_000, `no answer within 15 s`);
  } catch (e) {
    throw new LiveError('ERR_VALIDATE_LIVE_LAB', `The lab's console at ${consoleUrl} did not answer its control API (${(e as Error).message}); start the lab ('npm start') and pass its console URL with --lab.`);
  }
  const cxoneUrl = services.cxone;
  if (!cxoneUrl) throw new LiveError('ERR_VALIDATE_LIVE_LAB', 'The lab runs without its cxone service; start it with cxone enabled (the live test signs in through CXone).');
  const basic = 'Basic ' + Buffer.from(`${config.cxone.admin.username}:${config.cxone.admin.password}`).toString('base64');
  const oidcUrl = services.oidc?.replace(/\/+$/, '');
  return {
    control,
    cxoneUrl: cxoneUrl.replace(/\/+$/, ''),
    adfsUrl: services.adfs?.replace(/\/+$/, ''),
    oidcIssuers: oidcUrl ? config.oidc.issuers.map((i) => ({ id: i.id, url: i.path === '/' ? oidcUrl : `${oidcUrl}${i.path.replace(/\/+$/, '')}` })) : [],
    async admin(method, path, body) {
      let res;
      try {
        res = await send(`${cxoneUrl.replace(/\/+$/, '')}/api/v1${path}`, {
          method,
          headers: { authorization: basic, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ca,
          timeoutMs: 15_000,
        });
      } catch (e) {
        if (!(e instanceof SendError)) throw e;
        throw new LiveError('ERR_VALIDATE_LIVE_LAB', `CXone's admin API: ${describeSendError(new URL(cxoneUrl).origin, e)}.`);
      }
      let json: unknown;
      try {
        json = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json };
    },
  };
}

/** CXone's refusal of an admin call as a sentence: the code and each field error. */
export function describeRefusal(r: { status: number; body: any }): { code: string; message: string } {
  const code = typeof r.body?.code === 'string' ? r.body.code : 'ERR_VALIDATE_LIVE_ADMIN_REFUSED';
  const fields = Array.isArray(r.body?.fieldErrors) ? (r.body.fieldErrors as Array<{ field: string; code: string; message: string }>).map((f) => `${f.field}: ${f.message}`).join('; ') : '';
  return { code, message: `${r.body?.message ?? `HTTP ${r.status}`}${fields ? ` (${fields})` : ''}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
