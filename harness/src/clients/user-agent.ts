/**
 * A scripted browser for protocol tests and the reference clients: a cookie jar (per host name —
 * browsers share cookies across the ports of a host, RFC 6265 §8.5 — path
 * ignored), manual redirects, and helpers to read the forms AD FS serves (the sign-in form and
 * the "Working..." auto-POST page). Plain HTTP or TLS with the lab CA (`fetch` honours
 * NODE_EXTRA_CA_CERTS; `https` requests with an explicit CA go through `request`).
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface UaResponse {
  status: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  location: string | undefined;
}

export class UserAgent {
  private jar = new Map<string, Map<string, string>>();

  constructor(private readonly opts: { ca?: string; userAgent?: string } = {}) {}

  get(url: string, headers: Record<string, string> = {}): Promise<UaResponse> {
    return this.send('GET', url, undefined, headers);
  }

  post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<UaResponse> {
    return this.send('POST', url, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  /** Follows redirects (GET) until a non-redirect answer, at most `max` hops. */
  async follow(first: UaResponse, max = 10): Promise<UaResponse> {
    let res = first;
    for (let i = 0; i < max && res.status >= 300 && res.status < 400 && res.location; i++) {
      res = await this.get(new URL(res.location, res.url).toString());
    }
    return res;
  }

  cookies(url: string): Record<string, string> {
    return Object.fromEntries(this.jar.get(new URL(url).hostname) ?? []);
  }

  clearCookies(): void {
    this.jar.clear();
  }

  private send(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<UaResponse> {
    const u = new URL(url);
    const cookie = [...(this.jar.get(u.hostname) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
    const h: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'idp-harness-ua/1', ...headers };
    if (cookie) h['cookie'] = cookie;
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(u, { method, headers: h, ...(this.opts.ca ? { ca: this.opts.ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.store(u.hostname, res.headers['set-cookie'] ?? []);
          resolve({
            status: res.statusCode ?? 0,
            url,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            location: res.headers.location,
          });
        });
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });
  }

  private store(host: string, setCookies: string[]): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(host, jar);
  }
}

export interface HtmlForm {
  action: string;
  fields: Record<string, string>;
}

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first `<form>` of a page: its action (resolved against `base`) and its named inputs. */
export function readForm(html: string, base: string): HtmlForm {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('no form in the page');
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(m[1]!)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(m[1]!)?.[1] ?? '';
    if (name) fields[decode(name)] = decode(value);
  }
  return { action: new URL(decode(form[1]!), base).toString(), fields };
}
