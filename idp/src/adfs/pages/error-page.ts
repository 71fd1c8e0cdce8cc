import { h, layout } from './html.js';

export interface ErrorPageInput {
  serviceName: string;
  activityId: string;
  msis: string;
  message: string;
  /** Our stable error code, for tests and scripts. */
  code: string;
  relyingParty?: string | undefined;
  userAgent?: string | undefined;
  time: Date;
}

/**
 * AD FS's error page (reference §1.12): "An error occurred", then the details block with the
 * Activity ID, relying party, `MSISxxxx: message`, node name, time (RFC 1123) and user agent —
 * what AD FS shows with `AdditionalErrorPageInfo = Detailed`.
 */
export function renderErrorPage(p: ErrorPageInput): string {
  const lines = [
    `Activity ID: ${p.activityId}`,
    ...(p.relyingParty ? [`Relying party: ${p.relyingParty}`] : []),
    `Error details: ${p.msis}: ${p.message}`,
    `Node name: idp-harness`,
    `Error time: ${p.time.toUTCString()}`,
    `Cookie: enabled`,
    `User agent string: ${p.userAgent ?? ''}`,
  ];
  return layout(
    'Sign In',
    p.serviceName,
    `<div id="errorArea" data-error-code="${h(p.code)}" data-msis="${h(p.msis)}">
<h1 id="errorTitle" style="font-size:18px;font-weight:normal">An error occurred</h1>
<p id="errorMessage">An error occurred. Contact your administrator for more information.</p>
<div id="errorDetails"><h2 style="font-size:14px">Error details</h2><div class="details">${lines.map(h).join('\n')}</div></div>
</div>`,
  );
}
