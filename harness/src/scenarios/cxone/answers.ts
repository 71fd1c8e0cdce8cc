import { errorCodeOf, formIdOf } from '../../clients/cxone/cxone-pages.js';
import type { UaResponse } from '../../clients/user-agent.js';
import { ScenarioFailure } from '../scenario.js';

/**
 * CXone answered otherwise than the scenario expects. `code` is the stable code CXone sent
 * (header `X-Idp-Harness-Error`) when it sent one, so the report and JUnit name the lab's
 * reason (e.g. ERR_CXONE_SAML_SIGNATURE) rather than a generic failure.
 */
export class UnexpectedAnswer extends ScenarioFailure {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

const describe = (res: UaResponse) => `${res.status}${res.location ? ` → ${res.location}` : ''} ${errorCodeOf(res) ?? ''}`.trim();

/** CXone refused with this status and stable code (docs/cxone.md: header `X-Idp-Harness-Error`). */
export function expectRefused(res: UaResponse, status: number, code: string): void {
  const got = errorCodeOf(res);
  if (res.status !== status || got !== code) throw new UnexpectedAnswer(`expected ${status} ${code}, got ${describe(res)}`, got);
}

/** CXone accepted: this status (and, when given, this Location). */
export function expectAnswer(res: UaResponse, status: number, location?: string): void {
  if (res.status === status && (location === undefined || res.location === location)) return;
  throw new UnexpectedAnswer(`expected ${status}${location ? ` → ${location}` : ''}, got ${describe(res)}`, errorCodeOf(res));
}

/** CXone showed the sign-in step whose form has this id (`passwordForm`, `mfaForm`, `changePasswordForm`…). */
export function expectPage(res: UaResponse, formId: string): void {
  const shown = formIdOf(res);
  if (res.status === 200 && shown === formId) return;
  throw new UnexpectedAnswer(`expected the page with #${formId}, got ${describe(res)}${shown ? ` #${shown}` : ''}`, errorCodeOf(res));
}
