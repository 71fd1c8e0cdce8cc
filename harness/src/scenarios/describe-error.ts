import type { ErrorInfo } from './result.js';

/**
 * Turns anything a scenario threw into the report's ErrorInfo. Every client of the harness puts
 * its stable code in `code` (LabControlError, FinesseSsoError, FinesseApiError, IdpError,
 * openid-client's ClientError `OAUTH_*`, Node's `ECONNREFUSED`…), so the code is what a report
 * and JUnit show as the failure's type; errors without one are named by their class.
 */
export function describeError(e: unknown): ErrorInfo {
  if (e instanceof Error) {
    const raw = (e as { code?: unknown }).code;
    const code = typeof raw === 'string' && raw !== '' ? raw : undefined;
    return { type: code ?? e.name, ...(code === undefined ? {} : { code }), message: messageOf(e) };
  }
  return { type: 'Error', message: String(e) };
}

/** The message, with the cause's when it says more (fetch's "fetch failed" hides ECONNREFUSED). */
function messageOf(e: Error): string {
  const cause = e.cause;
  if (cause instanceof Error && cause.message && !e.message.includes(cause.message)) {
    const code = (cause as { code?: unknown }).code;
    return `${e.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return e.message;
}
