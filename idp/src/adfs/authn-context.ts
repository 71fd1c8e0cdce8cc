import type { User } from '../directory/user-schema.js';
import { IdpError } from '../shared/errors.js';
import { AUTHN_CONTEXT, FICAM_LOA, STATUS } from './saml-constants.js';
import type { AuthMethod } from './sessions.js';

export type Comparison = 'exact' | 'minimum' | 'maximum' | 'better';

/** `<samlp:RequestedAuthnContext>` as read from the AuthnRequest. */
export interface RequestedContext {
  comparison: Comparison;
  classRefs: string[];
}

/**
 * AD FS's `AuthenticationContextOrder` farm default (reference §1.1): weakest first. Comparisons
 * `minimum`, `maximum` and `better` (saml-core §3.3.2.2.1) are judged on this order.
 */
const ORDER: readonly string[] = [
  AUTHN_CONTEXT.Password,
  AUTHN_CONTEXT.PasswordProtectedTransport,
  AUTHN_CONTEXT.TLSClient,
  AUTHN_CONTEXT.X509,
  AUTHN_CONTEXT.Windows,
  AUTHN_CONTEXT.Kerberos,
];

/** The class refs each emulated method can honestly claim; the first is what it emits by default. */
const METHOD_REFS: Record<AuthMethod, readonly string[]> = {
  forms: [AUTHN_CONTEXT.PasswordProtectedTransport, AUTHN_CONTEXT.Password],
  windows: [AUTHN_CONTEXT.Windows, AUTHN_CONTEXT.Kerberos],
};

const loaOf = (uri: string) => FICAM_LOA.indexOf(uri as (typeof FICAM_LOA)[number]);
const isLoa = (uri: string) => loaOf(uri) > 0;

/** saml-core §3.3.2.2.1 comparison of a candidate against one requested value on a rank scale. */
function compare(c: Comparison, candidate: number, requested: number): boolean {
  switch (c) {
    case 'exact':
      return candidate === requested;
    case 'minimum':
      return candidate >= requested;
    case 'maximum':
      return candidate <= requested;
    case 'better':
      return candidate > requested;
  }
}

function noAuthnContext(why: string): IdpError {
  // AD FS logs MSIS7102 and answers the SP with Responder / NoAuthnContext (reference §1.7).
  return new IdpError('ERR_SAML_NO_AUTHN_CONTEXT', why, {
    details: { msis: 'MSIS7102', samlStatus: { top: STATUS.Responder, second: STATUS.NoAuthnContext } },
  });
}

/** The class refs among those requested that `method` satisfies (empty when none). */
function satisfied(method: AuthMethod, req: RequestedContext): string[] {
  const own = METHOD_REFS[method];
  return own.filter((ref) =>
    req.classRefs.some((want) => {
      if (req.comparison === 'exact') return want === ref;
      const a = ORDER.indexOf(ref);
      const b = ORDER.indexOf(want);
      return a >= 0 && b >= 0 && compare(req.comparison, a, b);
    }),
  );
}

/**
 * Which way the user must (re-)authenticate for this request: reuse the SSO session when its
 * method satisfies the request, else Windows Integrated when it is enabled and satisfies it, else
 * the forms page. FICAM level-of-assurance requests are judged after sign-in (on the user).
 */
export function chooseMethod(
  req: RequestedContext | undefined,
  wiaEnabled: boolean,
  sessionMethod: AuthMethod | undefined,
): { method: AuthMethod; reuse: boolean } {
  if (!req || req.classRefs.every(isLoa)) {
    if (sessionMethod) return { method: sessionMethod, reuse: true };
    return { method: wiaEnabled ? 'windows' : 'forms', reuse: false };
  }
  if (sessionMethod && satisfied(sessionMethod, req).length > 0) return { method: sessionMethod, reuse: true };
  if (wiaEnabled && satisfied('windows', req).length > 0) return { method: 'windows', reuse: false };
  if (satisfied('forms', req).length > 0) return { method: 'forms', reuse: false };
  throw noAuthnContext(`no authentication method satisfies ${req.comparison} ${req.classRefs.join(' ')}`);
}

/**
 * The AuthnContextClassRef to assert. For a FICAM RP (or a FICAM LOA request) it is the FICAM
 * level actually achieved by this user — "exactly one AuthnContextClassRef" (FICAM SAML 2.0 WB SSO
 * profile) — and a level the user cannot reach is refused with NoAuthnContext rather than
 * asserted lower. Otherwise it is the method's class ref (the requested one when it matched).
 */
export function resolveClassRef(
  req: RequestedContext | undefined,
  method: AuthMethod,
  user: User,
  ficam: boolean,
): string {
  const userLoa = user.assurance.loa;
  if (req && req.classRefs.some(isLoa)) {
    const levels = req.classRefs.filter(isLoa).map(loaOf);
    const candidates = [4, 3, 2, 1].filter((l) => l <= userLoa && levels.some((want) => compare(req.comparison, l, want)));
    // exact asks for that very level; the others take the highest level the user reaches.
    const achieved = req.comparison === 'exact' ? candidates.find((l) => levels.includes(l)) : candidates[0];
    if (achieved === undefined) {
      throw noAuthnContext(`user '${user.username}' reaches FICAM LOA ${userLoa}, not ${req.comparison} ${levels.join(',')}`);
    }
    return FICAM_LOA[achieved]!;
  }
  if (ficam) return FICAM_LOA[userLoa]!;
  if (req) {
    const match = satisfied(method, req);
    if (match.length === 0) throw noAuthnContext(`the ${method} sign-in does not satisfy the requested context`);
    return req.comparison === 'exact' ? req.classRefs.find((r) => match.includes(r))! : match[0]!;
  }
  return METHOD_REFS[method][0]!;
}
