import type { FetchLike } from './fetch-with-ca.js';

/** The kinds of token `idp-harness token` mints. */
export const TOKEN_KINDS = ['finesse', 'ids', 'oidc', 'cxone'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** A token obtained from the lab the way a real client gets one. */
export interface MintedToken {
  kind: TokenKind;
  accessToken: string;
  /** OpenID Connect flows: the ID token. */
  idToken?: string;
  refreshToken?: string;
  /** The service's own token answer, unchanged (what `--json` prints). */
  response: Record<string, unknown>;
}

/** A token endpoint's refusal: the OAuth `error`, and the lab's stable code when it sent one. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(code ? `${code}: ${message}` : message);
    this.name = 'TokenRequestError';
  }
}

/** POSTs a token request form and reads the JSON answer; non-200 becomes a TokenRequestError. */
export async function postTokenForm(
  fetcher: FetchLike,
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await fetcher(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported below by status
  }
  if (res.status !== 200) {
    const detail = [json['error'], json['error_description']].filter((x) => typeof x === 'string').join(': ');
    throw new TokenRequestError(`${url} answered ${res.status}${detail ? ` (${detail})` : ''}`, res.status, res.headers.get('x-idp-harness-error') ?? undefined);
  }
  return json;
}
