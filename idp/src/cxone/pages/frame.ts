import { h, pageLayout } from '../../http/html.js';

const FOOTER = 'idp-harness — CXone-style login (emulation)';

/** A CXone page in the lab's frame. `body` is trusted HTML; every value in it must go through h(). */
export function cxonePage(title: string, body: string): string {
  return pageLayout({ title: `${title} · CXone`, header: 'NICE CXone', body, footer: FOOTER });
}

/** The error page of every browser-facing CXone step; the stable code is shown and sent as X-Idp-Harness-Error. */
export function renderCxoneError(message: string, code: string): string {
  return cxonePage(
    'Sign-in error',
    `<h1 style="font-size:18px">We couldn't sign you in</h1>
<p id="errorText" role="alert">${h(message)}</p>
<p class="details">Error code: <span id="errorCode">${h(code)}</span></p>
<p><a href="/login">Start again</a></p>`,
  );
}

/** A page that posts a form on load (the SAML HTTP-POST binding), with a button when scripts are off. */
export function renderAutoPost(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join('');
  return cxonePage(
    'Working…',
    `<form method="post" action="${h(action)}" id="autopost">${inputs}<noscript><button class="submit" type="submit">Continue</button></noscript></form>
<script>document.getElementById('autopost').submit()</script>`,
  );
}
