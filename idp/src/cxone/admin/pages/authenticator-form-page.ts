import { h } from '../../../http/html.js';
import type { Authenticator } from '../../model.js';
import { AUTHENTICATOR_TYPES, CLIENT_AUTH_METHODS, MFA_TYPES } from '../../model.js';
import type { FieldError } from '../field-errors.js';
import { adminPage, FormRenderer, type Notice } from './admin-frame.js';
import { type FormValues } from './form-input.js';

const POLICY_LABELS: Array<[string, string]> = [
  ['minLength', 'Minimum length (6–64)'],
  ['maxLength', 'Maximum length (6–256)'],
  ['minLower', 'Lowercase letters (0–20)'],
  ['minUpper', 'Uppercase letters (0–20)'],
  ['minDigits', 'Numbers (0–20)'],
  ['minSpecial', 'Special characters (0–20)'],
  ['expiryDays', 'Password expires after days (0: never, up to 3650)'],
  ['history', 'Previous passwords remembered (0–24)'],
  ['lockoutAttempts', 'Wrong passwords before lockout (1–100)'],
  ['lockoutMinutes', 'Lockout minutes (1–1440)'],
];

const OIDC_ENDPOINTS: Array<[string, string]> = [
  ['issuer', 'Issuer'],
  ['jwksUri', 'JsonWebKeySet Endpoint'],
  ['authorizationEndpoint', 'Authorization Endpoint'],
  ['tokenEndpoint', 'Token Endpoint'],
  ['userinfoEndpoint', 'UserInfo Endpoint'],
  ['revocationEndpoint', 'Revocation Endpoint'],
  ['endSessionEndpoint', 'End Session Endpoint'],
];

/**
 * The script of the form, small and optional: it shows only the section of the chosen type, and
 * turns the certificate textarea into a file chooser whose PEM text it copies into that
 * (then hidden) field, so the form still posts urlencoded. Without scripts every section and
 * the textarea stay visible, and pasting the PEM works the same.
 */
const FORM_SCRIPT = `<script>
(function(){
  var type=document.getElementById('type');
  function show(){var t=type.value;['System','SAML','OIDC'].forEach(function(s){var el=document.getElementById('section'+s);if(el)el.hidden=(s!==t);});}
  if(type){type.addEventListener('change',show);show();}
  var file=document.getElementById('samlCertificateFile'),area=document.getElementById('saml-certificate'),status=document.getElementById('samlCertificateStatus');
  if(file&&area){
    document.getElementById('samlCertificateUpload').hidden=false;
    document.getElementById('samlCertificatePaste').hidden=true;
    if(area.value)status.textContent='A certificate is ready to be saved ('+area.value.length+' characters).';
    file.addEventListener('change',function(){
      var f=file.files&&file.files[0];if(!f)return;
      var r=new FileReader();
      r.onload=function(){area.value=String(r.result);status.textContent='Read '+f.name+' ('+area.value.length+' characters).';};
      r.readAsText(f);
    });
  }
})();
</script>`;

/**
 * New / Edit login authenticator (seed 002 steps 3.1–3.9). Fields are named by the admin API's
 * paths, so its field errors show next to them. The type of an existing authenticator is fixed.
 */
export function renderAuthenticatorForm(p: {
  existing: Authenticator | undefined;
  values: FormValues;
  errors?: FieldError[];
  notice?: Notice;
  certificateSummary?: string;
}): string {
  const f = new FormRenderer(p.values, p.errors);
  const existing = p.existing;
  const action = existing ? `/admin/login-authenticators/${encodeURIComponent(existing.id)}` : '/admin/login-authenticators';
  const type = existing
    ? `<label for="type">Authentication Type</label><input type="text" id="type" value="${h(existing.type)}" readonly><input type="hidden" name="type" value="${h(existing.type)}">${f.errorsFor('type')}`
    : f.select('type', 'Authentication Type', AUTHENTICATOR_TYPES.map((t) => [t, t]));
  const system = `<fieldset id="sectionSystem"><legend>System: password rules and policy</legend>
${POLICY_LABELS.map(([k, label]) => f.input(`system.password.${k}`, label, { type: 'text' })).join('\n')}
${f.errorsFor('system.password')}${f.errorsFor('system')}
${f.checkbox('system.mfa.required', 'Require Multi-Factor Authentication')}
${f.select('system.mfa.type', 'MFA Type', MFA_TYPES.map((t) => [t, t === 'HOTP' ? 'HOTP (HMAC-Based)' : 'TOTP (Time-Based)']))}
</fieldset>`;
  const saml = `<fieldset id="sectionSAML"><legend>SAML 2.0</legend>
${f.input('saml.endpointUrl', 'Endpoint URL (the IdP sign-in URL)', { type: 'text' })}
<div id="samlCertificateUpload" hidden><label for="samlCertificateFile">Certificate (the IdP's public signing certificate, a PEM file)</label>
<input type="file" id="samlCertificateFile" accept=".pem,.crt,.cer,.txt"><small id="samlCertificateStatus"></small></div>
<div id="samlCertificatePaste"><label for="saml-certificate">Certificate (paste the PEM text: -----BEGIN CERTIFICATE-----…)</label>
<textarea id="saml-certificate" name="saml.certificate" rows="6">${h(f.value('saml.certificate'))}</textarea></div>
${f.errorsFor('saml.certificate')}
${existing?.saml && p.certificateSummary ? `<p><small>Current certificate: ${h(p.certificateSummary)} — leave empty to keep it.</small></p>` : ''}
${f.checkbox('saml.ficam', 'FICAM (exactly one AuthnContextClassRef; SAML 2.0 assertion namespace)')}
${f.errorsFor('saml')}
</fieldset>`;
  const oidc = `<fieldset id="sectionOIDC"><legend>OpenID Connect</legend>
${f.input('oidc.discoveryUrl', 'Discovery URL (…/.well-known/openid-configuration)', { type: 'text' })}
<button type="submit" class="secondary" id="discover" name="action" value="discover">Discover settings</button>
${OIDC_ENDPOINTS.map(([k, label]) => f.input(`oidc.${k}`, label, { type: 'text' })).join('\n')}
${f.input('oidc.clientId', 'Client Identifier')}
${f.input('oidc.clientSecret', 'Client Secret', { type: 'password', autocomplete: 'new-password', hint: existing?.oidc?.clientSecret ? 'leave empty to keep the current secret' : undefined })}
${f.input('oidc.clientSecretConfirm', 'Confirm Client Secret', { type: 'password', autocomplete: 'new-password' })}
${f.select('oidc.clientAuthMethod', 'Client Authentication Method', CLIENT_AUTH_METHODS.map((m) => [m, m]))}
${f.checkbox('oidc.useEncryption', 'Use Encryption (the IdP encrypts ID tokens to a key the lab generates)')}
${f.checkbox('oidc.ficam', 'FICAM (PKCE S256, private_key_jwt, nonce, acr_values)')}
${f.input('oidc.acrValues', 'ACR values (space-separated)')}
${f.input('oidc.scope', 'Scope')}
${f.errorsFor('oidc')}
</fieldset>`;
  const body = `${f.summary()}
<form method="post" action="${h(action)}" id="authenticatorForm">
<!-- Enter in a field submits the first submit button: let that be Save, not Discover. -->
<button type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" style="position:absolute;left:-10000px">Save</button>
${f.input('name', 'Name')}
${f.input('description', 'Description')}
${type}
${!existing || existing.type === 'System' ? system : ''}
${!existing || existing.type === 'SAML' ? saml : ''}
${!existing || existing.type === 'OIDC' ? oidc : ''}
${f.errorsFor('active')}
<button type="submit" class="submit" id="save" name="action" value="save">${existing ? 'Save' : 'Save &amp; Activate'}</button>
<a href="/admin/login-authenticators">Cancel</a>
</form>
${FORM_SCRIPT}`;
  return adminPage(existing ? `Edit login authenticator: ${existing.name}` : 'New login authenticator', body, p.notice);
}
