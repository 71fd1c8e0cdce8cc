import { expectThat } from '../scenario.js';
import type { CxoneLab } from './kit.js';
import type { SamlAuthenticator } from './saml-steps.js';

/**
 * Sets the FICAM flag of a SAML authenticator through the admin API (a PATCH merges the `saml`
 * section: endpoint and certificate stay) and puts the previous value back at the end.
 */
export async function setSamlFicam(lab: CxoneLab, a: SamlAuthenticator, on: boolean): Promise<void> {
  if (a.ficam === on) return;
  const saved = await lab.admin.authenticators.patch(a.id, { saml: { ficam: on } });
  expectThat((saved['saml'] as { ficam?: boolean }).ficam === on, `the admin API did not turn FICAM ${on ? 'on' : 'off'}`);
  lab.defer(`FICAM back ${a.ficam ? 'on' : 'off'} for ${a.id}`, () => lab.admin.authenticators.patch(a.id, { saml: { ficam: a.ficam } }));
}
