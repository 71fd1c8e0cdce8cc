import { IdpError, type IdpErrorCode } from '../../shared/errors.js';
import type { AssertionInfo } from './read-response.js';

/** The codes an SP emulation reports a time-window failure under. */
export interface TimeCodes {
  notYetValid: IdpErrorCode;
  expired: IdpErrorCode;
}

function instant(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Conditions and bearer NotBefore/NotOnOrAfter (saml-core §2.5.1.2, §2.4.1.2), with `skewMs` of
 * tolerance either way, at `now` (the lab clock). Shared by the SPs the lab fakes (IdS, CXone).
 */
export function checkAssertionTimes(a: AssertionInfo, now: number, skewMs: number, codes: TimeCodes): void {
  const fail = (code: IdpErrorCode, message: string, debug?: string) => new IdpError(code, message, { status: 403, debug });
  for (const v of [a.notBefore, ...a.bearer.map((b) => b.notBefore)]) {
    const nb = instant(v);
    if (nb !== undefined && now + skewMs < nb) throw fail(codes.notYetValid, 'The assertion is not valid yet.', `NotBefore ${v}`);
  }
  const ends = [a.notOnOrAfter, ...a.bearer.map((b) => b.notOnOrAfter)].map(instant).filter((t): t is number => t !== undefined);
  for (const end of ends) {
    if (now - skewMs >= end) throw fail(codes.expired, 'The assertion has expired.', `NotOnOrAfter ${new Date(end).toISOString()}; now ${new Date(now).toISOString()}`);
  }
  if (a.bearer.some((b) => b.notOnOrAfter === undefined)) {
    // saml-profiles §4.1.4.2: bearer SubjectConfirmationData MUST carry NotOnOrAfter.
    throw fail(codes.expired, 'The bearer confirmation has no NotOnOrAfter.');
  }
}
