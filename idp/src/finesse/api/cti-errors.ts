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
  /**
   * A call operation the CTI server refuses (MAKE_CALL when the agent cannot make one): the Dev
   * Guide's "Dialog CTI Error Notification" says the type is always "Call Operation Failure".
   * [INF] The constant and code are the CTI's invalid-object-state ones (22).
   */
  CALL_OPERATION_FAILURE: { errorType: 'Call Operation Failure', errorMessage: 'CF_INVALID_OBJECT_STATE', errorData: '22' },
  /**
   * A dialog action the participant's state does not allow: the Dev Guide lists it under
   * "Asynchronous Errors" as a "Generic Error" (e.g. HOLD while the allowed actions are others).
   * [INF] The constant and code are not documented; the lab uses the CTI's invalid-state ones.
   */
  ACTION_NOT_ALLOWED: { errorType: 'Generic Error', errorMessage: 'CF_INVALID_OBJECT_STATE', errorData: '22' },
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
 * `<apiErrors><apiError>…` in camelCase, the notification form (reference A.2.2). On a User node
 * the elements follow the real captures (errorType, errorMessage, errorData, with the UCCE
 * peripheral detail around them); on a Dialogs node they follow the Dev Guide's "Dialog CTI Error
 * Notification" sample (errorData, errorMessage, errorType).
 */
export function apiErrorsXml(error: CtiError, deployment: 'UCCE' | 'UCCX', form: 'user' | 'dialog'): string {
  const e: { errorType: string; errorMessage?: string; errorData: string; peripheral?: { code: string; text: string; msg: string } } = CTI_ERRORS[error];
  const message = e.errorMessage ?? error;
  if (form === 'dialog') {
    return node('apiErrors', [node('apiError', [leaf('errorData', e.errorData), leaf('errorMessage', message), leaf('errorType', e.errorType)])]);
  }
  const p = deployment === 'UCCE' ? e.peripheral : undefined;
  return node('apiErrors', [
    node('apiError', [
      ...(p ? [leaf('peripheralErrorCode', p.code)] : []),
      leaf('errorType', e.errorType),
      leaf('errorMessage', message),
      ...(p ? [leaf('peripheralErrorText', p.text), leaf('peripheralErrorMsg', p.msg)] : []),
      leaf('errorData', e.errorData),
    ]),
  ]);
}
