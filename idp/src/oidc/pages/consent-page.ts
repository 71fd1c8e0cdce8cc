import { h } from '../../http/html.js';
import { oidcPage } from './frame.js';

export interface ConsentPageInput {
  issuerName: string;
  action: string;
  clientName: string;
  username: string;
  scopes: string[];
  claims: string[];
}

/** Consent for a third-party client (`first_party: false`): approve or deny, no JavaScript. */
export function renderConsentPage(p: ConsentPageInput): string {
  const items = [...p.scopes.map((s) => `scope <code>${h(s)}</code>`), ...p.claims.map((c) => `claim <code>${h(c)}</code>`)];
  return oidcPage(
    'Authorize',
    p.issuerName,
    `<p><strong id="clientName">${h(p.clientName)}</strong> asks to access your account <strong>${h(p.username)}</strong>:</p>
<ul class="scopes">${items.map((i) => `<li>${i}</li>`).join('') || '<li>your sign-in only</li>'}</ul>
<form method="post" id="consentForm" action="${h(p.action)}">
<button id="approve" class="submit" type="submit" name="decision" value="approve">Allow</button>
<button id="deny" class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}
