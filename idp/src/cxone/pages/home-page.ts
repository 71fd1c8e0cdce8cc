import { h } from '../../http/html.js';
import type { CxoneUser } from '../model.js';
import { cxonePage } from './frame.js';

/** Where a sign-in that no application started lands: who is signed in, and how. */
export function renderHomePage(p: { user: CxoneUser; authenticatorName: string; amr: string[] }): string {
  return cxonePage(
    'Home',
    `<p>Signed in as <strong id="signedInUser">${h(p.user.username)}</strong> (${h(p.user.firstName)} ${h(p.user.lastName)}).</p>
<p>Login authenticator: <span id="authenticator">${h(p.authenticatorName)}</span>; methods: <span id="amr">${h(p.amr.join(', '))}</span></p>
<p><a id="logout" href="/auth/authorize/logout">Sign out</a></p>`,
  );
}
