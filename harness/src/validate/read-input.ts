import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { describeSendError, send, SendError } from './http.js';

/**
 * Reading what the validator checks — a file, or a URL over HTTP(S) — bounded in time and size,
 * so a slow, huge or hostile source cannot hold the command (DESIGN §3: size limits before
 * parsing). A problem here is not a finding about the IdP but "the input could not be read":
 * the command exits 2 with one line saying what to do next (InputError).
 */

/** The input could not be read; `message` is the one line the CLI prints (what happened and what to do). */
export class InputError extends Error {}

export interface ReadOptions {
  /** Extra trust anchors (PEM) besides Node's bundled public roots, from `--ca`. */
  ca: string[] | undefined;
  maxBytes: number;
  timeoutMs?: number;
  /** What the caller expects, for messages ("SAML metadata", "the JWKS"). */
  what: string;
}

export interface ReadResult {
  text: string;
  /** The URL the text came from (after redirects), or undefined for a file. */
  url: string | undefined;
}

const MAX_REDIRECTS = 3;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** A file (when `source` is not an http(s) URL) or a URL. */
export async function readSource(source: string, o: ReadOptions): Promise<ReadResult> {
  if (!isUrl(source)) return { text: readFileBounded(source, o), url: undefined };
  return fetchText(source, o);
}

function readFileBounded(path: string, o: ReadOptions): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(`${path} is not a file; give ${o.what} as a file or an http(s) URL.`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give ${o.what} as a file or an http(s) URL.`);
  }
  if (size > o.maxBytes) throw new InputError(`${path} is ${size} bytes, more than the ${o.maxBytes} read for ${o.what}; give the IdP's own document.`);
  const buf = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/** GET, following at most three redirects; anything but a final 200 is an InputError. */
export async function fetchText(url: string, o: ReadOptions): Promise<ReadResult> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res;
    try {
      res = await send(current, { ca: o.ca, maxBytes: o.maxBytes, timeoutMs: o.timeoutMs ?? 10_000, headers: { accept: '*/*' } });
    } catch (e) {
      if (e instanceof SendError) throw new InputError(`${describeSendError(new URL(current).origin, e)}.`);
      throw e;
    }
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
      current = new URL(location, current).toString();
      continue;
    }
    if (res.status !== 200) throw new InputError(`${current} answered HTTP ${res.status}; check the URL of ${o.what}.`);
    return { text: res.body, url: current };
  }
  throw new InputError(`${url} redirected more than ${MAX_REDIRECTS} times; give the final URL of ${o.what}.`);
}
