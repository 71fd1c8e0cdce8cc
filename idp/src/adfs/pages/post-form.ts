import { h } from './html.js';

/**
 * The "Working..." auto-submit page AD FS/WIF deliver a SAML message with (reference §1.12). SP
 * test harnesses screen-scrape this exact markup, so it is reproduced, RelayState HTML-escaped.
 */
export function renderPostForm(action: string, field: 'SAMLResponse' | 'SAMLRequest', value: string, relayState?: string): string {
  const rs = relayState === undefined ? '' : `<input type="hidden" name="RelayState" value="${h(relayState)}" />`;
  return (
    `<html><head><title>Working...</title></head><body>` +
    `<form method="POST" name="hiddenform" action="${h(action)}">` +
    `<input type="hidden" name="${field}" value="${h(value)}" />${rs}` +
    `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>` +
    `</form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>`
  );
}
