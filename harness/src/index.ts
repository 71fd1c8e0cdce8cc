/**
 * idp-harness as a library: what an integration suite (vitest, jest, node:test) imports.
 *
 *   import { startLab, FinesseSsoClient } from 'idp-harness';
 *
 * `startLab` runs the lab in the suite's process and hands back its URLs, its CA, the control API
 * as typed functions and `stop()`; the reference clients drive the protocols the way real clients
 * do. Everything else in the package is internal.
 */

// Starting the lab
export { startLab, startTestLab, type RunningLab, type StartLabOptions, type StartTestLabOptions } from './start-lab.js';
export { SERVICE_NAMES, type LabConfig, type LabConfigInput, type ServiceName } from '../../idp/src/config/schema.js';
export type { Lab, LabState } from '../../idp/src/lab.js';
export { IdpError, isIdpError, type IdpErrorCode } from '../../idp/src/shared/errors.js';

// The control API
export { httpLabControl, LabControlError, type ControlCollection, type FaultInput, type HttpLabControlOptions, type LabControl } from './control/lab-control.js';

// Reference clients
export { UserAgent, readForm, type HtmlForm, type UaResponse } from './clients/user-agent.js';
export { authorize, endSession, AuthorizeError, type AuthorizeOptions, type AuthorizeResult } from './clients/oidc-browser.js';
export { FinesseSsoClient, FinesseSsoError, type FinesseSsoClientOptions, type FinesseSsoToken } from './clients/finesse/sso-token-client.js';
export {
  FinesseRestClient,
  FinesseApiError,
  type Dialog,
  type DialogAction,
  type DialogActionParams,
  type FinesseRestClientOptions,
  type FinesseUser,
  type Participant,
  type ReasonCode,
  type SystemInfo,
} from './clients/finesse/rest-client.js';
export {
  FinesseNotificationClient,
  FinesseNotificationError,
  type FinesseNotificationClientOptions,
  type FinesseNotificationErrorKind,
  type FinesseUpdate,
  type WaitOptions,
} from './clients/finesse/notification-client.js';

// Tokens, as `idp-harness token` gets them
export { finesseToken, type FinesseTokenOptions } from './tokens/finesse-token.js';
export { idsToken, type IdsTokenOptions } from './tokens/ids-token.js';
export { oidcToken, type ClientCredentials, type OidcTokenOptions } from './tokens/oidc-token.js';
export { cxoneAccessKeyToken, cxoneCodeFlowToken, type CxoneAccessKeyOptions, type CxoneCodeFlowOptions } from './tokens/cxone-token.js';
export { signInUntil, SignInError, type SignInCredentials } from './tokens/sign-in-browser.js';
export { TokenRequestError, type MintedToken, type TokenKind } from './tokens/minted-token.js';
