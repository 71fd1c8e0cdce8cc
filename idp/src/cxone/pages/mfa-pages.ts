import { h } from '../../http/html.js';
import type { MfaType } from '../model.js';
import { cxonePage } from './frame.js';
import { renderErrors } from './rules-list.js';

const TYPE_TEXT: Record<MfaType, string> = { TOTP: 'time-based (TOTP)', HOTP: 'counter-based (HOTP)' };

function codeInput(digits: number): string {
  return `<label for="code">Verification code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="${digits + 2}" autofocus>`;
}

/** MFA enrolment (reference B.1 "Require Multi-Factor Authentication"): the key as a QR image, as text and as its otpauth:// URI. */
export function renderMfaEnrolPage(p: { tx: string; username: string; type: MfaType; secret: string; uri: string; qrDataUrl: string; digits: number; error?: { code: string; message: string } }): string {
  return cxonePage(
    'Set up verification',
    `<p>Username: <strong id="username">${h(p.username)}</strong></p>
<p>Your login authenticator requires multi-factor authentication with a <span id="mfaType" data-type="${h(p.type)}">${TYPE_TEXT[p.type]}</span> code.
Scan this image with an authenticator app, or enter the key by hand, then type the code the app shows.</p>
<p style="text-align:center"><img id="otpQr" alt="QR code of the key" width="200" height="200" src="${h(p.qrDataUrl)}"></p>
<p>Key: <code id="otpSecret">${h(p.secret)}</code></p>
<p class="details" id="otpauthUri">${h(p.uri)}</p>
<form method="post" action="/login/mfa-enroll" id="mfaEnrollForm">
<input type="hidden" name="tx" value="${h(p.tx)}">
${codeInput(p.digits)}
${p.error ? renderErrors([p.error]) : ''}
<button class="submit" id="verify" type="submit">Verify</button>
</form>`,
  );
}

/** The code page of an enrolled user; in `resync` mode it asks for the token's next code (RFC 4226 §7.4). */
export function renderMfaPage(p: { tx: string; username: string; type: MfaType; mode: 'verify' | 'resync'; digits: number; error?: { code: string; message: string } }): string {
  const ask =
    p.mode === 'resync'
      ? 'Your token is out of step with CXone. Press it again and enter the NEXT code it shows.'
      : `Enter the ${p.digits}-digit code your authenticator app shows (${TYPE_TEXT[p.type]}).`;
  return cxonePage(
    'Verification',
    `<p>Username: <strong id="username">${h(p.username)}</strong></p>
<p id="mfaPrompt">${h(ask)}</p>
<form method="post" action="/login/mfa" id="mfaForm" data-mode="${p.mode}">
<input type="hidden" name="tx" value="${h(p.tx)}">
${codeInput(p.digits)}
${p.error ? renderErrors([p.error]) : ''}
<button class="submit" id="verify" type="submit">Verify</button>
</form>`,
  );
}
