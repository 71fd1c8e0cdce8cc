import { leaf, node } from './xml-writer.js';

/**
 * Refusals that come from the CTI server rather than from Finesse's own request checks, and so
 * arrive as an asynchronous notification after a 202 (reference A.2.2). The values are those of
 * real captures (pokornyIt/finesse-api `XMPP/error-invalid-state.xml` for a signed-out agent asking
 * to be READY, `error-invalid-line.xml` for a sign-in on a device that is not the agent's).
 * `peripheral` is the UCCE peripheral gateway's detail; UCCX has no peripheral and leaves it out.
 */
export const CTI_ERRORS = {
  CF_INVALID_OBJECT_STATE: { errorType: 'Invalid State', errorData: '22' },
  CF_INVALID_LOGON_DEVICE_SPECIFIED: {
    errorType: 'Invalid Device',
    errorData: '260',
    peripheral: {
      code: '10125',
      text: 'A device target with the network target ID specified cannot be found. This could indicate either an internal error or a configuration error',
      msg: 'PERERR_TELDRIVE_NODEVICETARGETFORNETTARGETID',
    },
  },
} as const;

export type CtiError = keyof typeof CTI_ERRORS;

/**
 * `<apiErrors><apiError>…` in camelCase, the notification form (reference A.2.2), elements in the
 * order of the captures.
 */
export function apiErrorsXml(error: CtiError, deployment: 'UCCE' | 'UCCX'): string {
  const e: { errorType: string; errorData: string; peripheral?: { code: string; text: string; msg: string } } = CTI_ERRORS[error];
  const p = deployment === 'UCCE' ? e.peripheral : undefined;
  return node('apiErrors', [
    node('apiError', [
      ...(p ? [leaf('peripheralErrorCode', p.code)] : []),
      leaf('errorType', e.errorType),
      leaf('errorMessage', error),
      ...(p ? [leaf('peripheralErrorText', p.text), leaf('peripheralErrorMsg', p.msg)] : []),
      leaf('errorData', e.errorData),
    ]),
  ]);
}
