import { UserAgent } from '../../clients/user-agent.js';
import { explainNetworkError } from '../net-errors.js';

/** One answer of a lab service, read whole. */
export interface FetchedDocument {
  url: string;
  contentType: string;
  body: string;
}

/**
 * GET a document from a lab service (with the lab CA for https). Anything but 200 is one line
 * with the status and the lab's stable error code (`X-Idp-Harness-Error`), when there is one.
 */
export async function fetchDocument(what: string, url: string, ca: string | undefined, headers: Record<string, string> = {}): Promise<FetchedDocument> {
  const ua = new UserAgent(ca === undefined ? {} : { ca });
  let res;
  try {
    res = await ua.get(url, headers);
  } catch (e) {
    throw explainNetworkError(e, what, url);
  }
  if (res.status !== 200) {
    const code = res.headers['x-idp-harness-error'];
    throw new Error(`${what} answered ${res.status} at ${url}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return { url, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
}

/** The JSON of a document, or one line saying it is not JSON. */
export function parseJson(doc: FetchedDocument): Record<string, unknown> {
  try {
    const v = JSON.parse(doc.body) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new Error(`${doc.url} did not answer a JSON object (${doc.contentType || 'no content type'})`);
}
