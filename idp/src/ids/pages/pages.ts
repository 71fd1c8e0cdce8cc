import { h, pageLayout } from '../../http/html.js';

/** The pages a browser sees at Cisco IdS: its error page and the two auto-POST steps. */

const FOOTER = 'Cisco Identity Service (idp-harness emulation)';

/** The IdS error page: what failed, and the stable code for tests and operators. */
export function renderIdsError(message: string, code: string): string {
  return pageLayout({
    title: 'Cisco Identity Service - Error',
    header: 'Cisco Identity Service',
    body: `<p id="errorText">${h(message)}</p><p class="details">Error code: ${h(code)}</p><p>Close this window and sign in again. If the problem persists, contact your administrator.</p>`,
    footer: FOOTER,
  });
}

/**
 * An auto-submitting form (a SAML AuthnRequest to the IdP, the `uniqueId` to `/ids/relay`). Works
 * without JavaScript through the submit button, as every page of the lab does.
 */
export function renderAutoPost(action: string, fields: Record<string, string>, title = 'Working...'): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}" />`)
    .join('');
  return (
    `<html><head><title>${h(title)}</title></head><body>` +
    `<form method="POST" name="hiddenform" action="${h(action)}">${inputs}` +
    `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>` +
    `</form><script>document.forms[0].submit();</script></body></html>`
  );
}
