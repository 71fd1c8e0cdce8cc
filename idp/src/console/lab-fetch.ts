import { httpCall } from '../cxone/oidc-rp/http-client.js';

/** What openid-client 6 hands a custom fetch (oauth4webapi's CustomFetchOptions). */
interface FetchOptions {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * A Fetch-compatible function over the lab's bounded HTTP client (node:http(s), timeout, size cap)
 * that trusts the given CAs: openid-client 6 takes one as `customFetch`, and Node's own fetch
 * cannot be given a CA per request. For the sample RP's discovery, JWKS and token requests.
 */
export function labFetch(ca: string[]) {
  return async (url: string, options: FetchOptions): Promise<Response> => {
    const { body } = options;
    const text = body === undefined || body === null ? undefined : body instanceof URLSearchParams ? body.toString() : typeof body === 'string' ? body : undefined;
    if (body !== undefined && body !== null && text === undefined) throw new TypeError('labFetch: only string and form bodies are supported');
    const headers: Record<string, string> = { 'user-agent': 'idp-harness-console/1', ...options.headers };
    if (body instanceof URLSearchParams && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    const method = options.method === 'POST' ? 'POST' : 'GET';
    const res = await httpCall(url, { method, headers, ...(text === undefined ? {} : { body: text }), ca });
    const h = new Headers();
    for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
    const noBody = res.status === 204 || res.status === 304;
    return new Response(noBody ? null : res.body, { status: res.status, headers: h });
  };
}
