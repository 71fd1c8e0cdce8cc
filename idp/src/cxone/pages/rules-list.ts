import { h } from '../../http/html.js';
import type { PasswordPolicy } from '../model.js';
import type { RuleLine } from '../system/password-rules.js';

/** The authenticator's password rules as a list; each line carries its rule id for the live check and for tests. */
export function renderRulesList(rules: RuleLine[]): string {
  const items = rules.map((r) => `<li data-rule="${h(r.id)}"><span class="mark" aria-hidden="true">•</span> ${h(r.text)}</li>`).join('');
  return `<ul id="passwordRules" style="font-size:13px;list-style:none;padding-left:0">${items}</ul>`;
}

/** An error line, or the list of every broken rule, each with its stable code. */
export function renderErrors(errors: Array<{ code: string; message: string }>): string {
  if (errors.length === 0) return '';
  if (errors.length === 1) return `<span id="errorText" role="alert" data-code="${h(errors[0]!.code)}">${h(errors[0]!.message)}</span>`;
  const items = errors.map((e) => `<li data-code="${h(e.code)}">${h(e.message)}</li>`).join('');
  return `<ul id="errorText" role="alert" style="color:#c00;font-size:14px">${items}</ul>`;
}

/**
 * The live check of reference B.1 ("as the user types, the password field shows the
 * authenticator's rules live, green check / red X") for the rules a browser can check: length,
 * character classes, "password" and the user's own data. The repository of common passwords and
 * the history stay server-side; the server's answer is the authority, and the form works without it.
 */
export function renderLiveRulesScript(inputId: string, policy: PasswordPolicy, personal: string[]): string {
  const data = {
    minLength: policy.minLength,
    maxLength: policy.maxLength,
    minLower: policy.minLower,
    minUpper: policy.minUpper,
    minDigits: policy.minDigits,
    minSpecial: policy.minSpecial,
    personal: ['password', ...personal.map((p) => p.trim().toLowerCase()).filter((p) => p !== '')],
  };
  // JSON in a data block: `<` escaped so no value can close the element (HTML §4.12.1.3).
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<script type="application/json" id="ruleData">${json}</script>
<script>(function () {
  var c = JSON.parse(document.getElementById('ruleData').textContent);
  var input = document.getElementById(${JSON.stringify(inputId)});
  var n = function (s, re) { return (s.match(re) || []).length; };
  function check() {
    var p = input.value, l = p.toLowerCase(), len = Array.from(p).length;
    var ok = {
      length: len >= c.minLength && len <= c.maxLength,
      lower: n(p, /\\p{Ll}/gu) >= c.minLower,
      upper: n(p, /\\p{Lu}/gu) >= c.minUpper,
      digit: n(p, /\\p{Nd}/gu) >= c.minDigits,
      special: n(p, /[^\\p{Ll}\\p{Lu}\\p{Nd}]/gu) >= c.minSpecial,
      personal: c.personal.every(function (v) { return l.indexOf(v) < 0; })
    };
    Object.keys(ok).forEach(function (k) {
      var li = document.querySelector('#passwordRules [data-rule="' + k + '"]');
      if (!li) return;
      li.setAttribute('data-ok', String(ok[k]));
      li.querySelector('.mark').textContent = ok[k] ? '\\u2714' : '\\u2718';
      li.style.color = ok[k] ? '#107c10' : '#c00';
    });
  }
  input.addEventListener('input', check);
})();</script>`;
}
