import { cxonePage } from '../pages/frame.js';

/** Where a logout ends when no application asked to be sent back (RP-Initiated Logout 1.0 §3). */
export function renderSignedOutPage(): string {
  return cxonePage(
    'Signed out',
    `<h1 style="font-size:18px" id="signedOut">You have been signed out</h1>
<p>Your CXone session has ended.</p>
<p><a href="/login">Sign in again</a></p>`,
  );
}
