import { request as httpsRequest } from 'node:https';

/**
 * A Fetch-compatible function that trusts one extra CA (PEM) for its requests only, for clients
 * that take a custom fetch (openid-client 6: `config[oidc.customFetch]`). Node's own fetch reads
 * NODE_EXTRA_CA_CERTS only when the process starts, and undici's Agent is not a dependency, so
 * this is node:https with `ca`. Plain `http:` URLs go to the global fetch.
 */
export function caFetch(ca: string): (url: string, options: CaFetchOptions) => Promise<Response> {
  return (url, options) => {
    if (!url.startsWith('https:')) return fetch(url, options as RequestInit);
    return new Promise<Response>((resolve, reject) => {
      const { body } = options;
      let payload: Buffer | undefined;
      if (typeof body === 'string') payload = Buffer.from(body);
      else if (body instanceof URLSearchParams) payload = Buffer.from(body.toString());
      else if (body instanceof Uint8Array) payload = Buffer.from(body);
      else if (body instanceof ArrayBuffer) payload = Buffer.from(new Uint8Array(body));
      else if (body != null) return reject(new Error('caFetch: streamed bodies are not supported'));
      const headers: Record<string, string> = { ...options.headers };
      if (payload) {
        headers['content-length'] = String(payload.length);
        if (body instanceof URLSearchParams && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
          headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
        }
      }
      const req = httpsRequest(url, { method: options.method ?? 'GET', headers, ca, ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
          }
          const status = res.statusCode ?? 0;
          const noBody = status === 204 || status === 304 || options.method === 'HEAD';
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  };
}

/** The request options openid-client passes to a custom fetch. */
export interface CaFetchOptions {
  method?: string;
  headers: Record<string, string>;
  body?: unknown;
  redirect?: string;
  signal?: AbortSignal | undefined;
}
