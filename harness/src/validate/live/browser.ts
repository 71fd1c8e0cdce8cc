import { describeSendError, send, SendError, type SendResult } from '../http.js';

/** One answer as the scripted browser saw it. */
export interface Page {
  status: number;
  /** The URL that was requested. */
  url: string;
  headers: SendResult['headers'];
  body: string;
  location: string | undefined;
}

/**
 * The live test's scripted browser: a cookie jar per host name (browsers share cookies across a
 * host's ports, RFC 6265 §8.5; paths ignored), manual redirects, and the validator's bounded HTTP
 * client underneath — a timeout per request, a cap on every page, and trust = public roots +
 * `--ca` — because the pages come from a partner's IdP, not from the lab.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(private readonly ca: string[]) {}

  get(url: string): Promise<Page> {
    return this.request('GET', url, undefined, {});
  }

  post(url: string, form: Record<string, string>): Promise<Page> {
    return this.request('POST', url, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  private async request(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const u = new URL(url);
    const cookie = [...(this.jar.get(u.hostname) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
    let res: SendResult;
    try {
      res = await send(url, {
        method,
        headers: { accept: 'text/html,application/xhtml+xml,*/*', ...headers, ...(cookie ? { cookie } : {}) },
        ...(body === undefined ? {} : { body }),
        ca: this.ca,
        timeoutMs: 15_000,
        maxBytes: 2 * 1024 * 1024,
      });
    } catch (e) {
      // One sentence with what to do (e.g. "pass --ca") for the live.sign-in rule.
      if (e instanceof SendError) throw new Error(describeSendError(u.origin, e));
      throw e;
    }
    this.store(u.hostname, res.headers['set-cookie'] ?? []);
    const location = res.headers.location;
    return { status: res.status, url, headers: res.headers, body: res.body, location: Array.isArray(location) ? location[0] : location };
  }

  private store(host: string, lines: string[]): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 1) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(host, jar);
  }
}
