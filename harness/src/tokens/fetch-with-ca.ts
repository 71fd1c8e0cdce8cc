import { request as httpsRequest } from 'node:https';

/** What the fetchers here take: RequestInit's common part, which openid-client's customFetch passes too. */
export interface FetchInit {
  method?: string;
  headers?: HeadersInit | Record<string, string>;
  body?: BodyInit | Uint8Array | null | undefined;
  signal?: AbortSignal | null | undefined;
  redirect?: RequestRedirect;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<Response>;

/**
 * A `fetch` that trusts `ca` for https (Node's fetch takes no per-request CA), for openid-client's
 * `customFetch`: the lab CA without NODE_EXTRA_CA_CERTS. Plain http goes to the global fetch.
 */
export function fetchWithCa(ca: string | undefined): FetchLike {
  return async (url, init) => {
    if (!ca || !url.startsWith('https:')) return fetch(url, init as RequestInit);
    const body = init.body === undefined || init.body === null ? undefined : await new Response(init.body as BodyInit).arrayBuffer();
    const headers: Record<string, string> = {};
    new Headers(init.headers as HeadersInit | undefined).forEach((v, k) => (headers[k] = v));
    return new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (init.signal) init.signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
      req.end(body === undefined ? undefined : Buffer.from(body));
    });
  };
}
