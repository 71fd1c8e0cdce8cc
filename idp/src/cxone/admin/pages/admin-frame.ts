import { h, pageLayout } from '../../../http/html.js';
import type { FieldError } from '../field-errors.js';
import type { FormValues } from './form-input.js';

/** A message above the page: what the last action did, or why it was refused (with its stable code). */
export interface Notice {
  ok: boolean;
  text: string;
  code?: string;
}

/** Admin pages hold tables and long forms: the lab's card, wider, plus field-error styles. */
const ADMIN_STYLE = `<style>
#contentWrapper{max-width:980px}
table.list{border-collapse:collapse;width:100%;font-size:14px}
table.list th,table.list td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
nav a{margin-right:16px}
fieldset{border:1px solid #ddd;margin:16px 0;padding:8px 16px}
.fieldError{color:#c00;font-size:13px;display:block}
.inline{display:inline;margin:0 4px 0 0}
.inline .secondary,.inline .submit{margin-top:4px;padding:4px 10px;font-size:13px}
#noticeText{color:#176b1d}
pre.value,code.value{font-family:Consolas,monospace;font-size:12px;background:#f8f8f8;padding:4px;white-space:pre-wrap;word-break:break-all}
textarea{width:100%;box-sizing:border-box;font-family:Consolas,monospace;font-size:12px}
input[type=url],input[type=number]{width:100%;box-sizing:border-box;padding:7px;font-size:15px;border:1px solid #bbb}
</style>`;

export function adminPage(title: string, body: string, notice?: Notice): string {
  const top = notice
    ? notice.ok
      ? `<p id="noticeText" role="status">${h(notice.text)}</p>`
      : `<p id="errorText" role="alert">${h(notice.text)}${notice.code ? ` (<span id="errorCode">${h(notice.code)}</span>)` : ''}</p>`
    : '';
  return pageLayout({
    title: `${title} · CXone Admin`,
    header: 'NICE CXone — Admin',
    body: `${ADMIN_STYLE}
<nav><a id="navAuthenticators" href="/admin/login-authenticators">Login Authenticators</a><a id="navUsers" href="/admin/users">Users</a></nav>
<h1 style="font-size:18px">${h(title)}</h1>
${top}
${body}`,
    footer: 'idp-harness — CXone-style administration (emulation)',
  });
}

/**
 * Renders form inputs with their current values and the field errors of the last attempt: each
 * error is shown under the input of the same name (and all of them in a list at the top, with
 * their codes, for fields that have no input of their own, e.g. `system.password`).
 */
export class FormRenderer {
  constructor(
    readonly values: FormValues,
    readonly errors: FieldError[] = [],
  ) {}

  value(name: string): string {
    return this.values[name] ?? '';
  }

  /** The errors of `name`, as spans next to its input. */
  errorsFor(name: string): string {
    const mine = this.errors.filter((e) => e.field === name);
    if (mine.length === 0) return '';
    return mine.map((e) => `<span class="fieldError" data-field="${h(e.field)}" data-code="${h(e.code)}">${h(e.code)}: ${h(e.message)}</span>`).join('');
  }

  /** The summary at the top of a form: every error, so none is lost even without an input of its own. */
  summary(): string {
    if (this.errors.length === 0) return '';
    const items = this.errors.map((e) => `<li data-field="${h(e.field)}" data-code="${h(e.code)}"><code>${h(e.field)}</code> — <strong>${h(e.code)}</strong>: ${h(e.message)}</li>`);
    return `<ul id="fieldErrors" role="alert">${items.join('')}</ul>`;
  }

  input(name: string, label: string, opts: { id?: string; type?: string; hint?: string; autocomplete?: string; readonly?: boolean } = {}): string {
    const id = opts.id ?? idOf(name);
    const type = opts.type ?? 'text';
    const value = type === 'password' ? '' : this.value(name);
    return `<label for="${id}">${h(label)}</label>
<input type="${type}" id="${id}" name="${h(name)}" value="${h(value)}"${opts.autocomplete ? ` autocomplete="${opts.autocomplete}"` : ''}${opts.readonly ? ' readonly' : ''}>
${opts.hint ? `<small>${h(opts.hint)}</small>` : ''}${this.errorsFor(name)}`;
  }

  checkbox(name: string, label: string): string {
    const checked = this.values[name] === 'true' || this.values[name] === 'on';
    return `<label><input type="checkbox" id="${idOf(name)}" name="${h(name)}" value="true"${checked ? ' checked' : ''}> ${h(label)}</label>${this.errorsFor(name)}`;
  }

  select(name: string, label: string, options: Array<[value: string, text: string]>, opts: { disabled?: boolean } = {}): string {
    const current = this.value(name);
    const items = options.map(([v, t]) => `<option value="${h(v)}"${v === current ? ' selected' : ''}>${h(t)}</option>`).join('');
    return `<label for="${idOf(name)}">${h(label)}</label>
<select id="${idOf(name)}" name="${h(name)}"${opts.disabled ? ' disabled' : ''}>${items}</select>${this.errorsFor(name)}`;
  }

}

/** `saml.endpointUrl` → `saml-endpointUrl`: dots are legal in ids but awkward in CSS selectors. */
export function idOf(name: string): string {
  return name.replace(/\./g, '-');
}

/** A one-button form (Activate, Delete, Unlock…): a POST, so that a link or a prefetch never changes anything. */
export function actionButton(action: string, label: string, opts: { id?: string; primary?: boolean } = {}): string {
  return `<form class="inline" method="post" action="${h(action)}"><button type="submit" class="${opts.primary ? 'submit' : 'secondary'}"${opts.id ? ` id="${h(opts.id)}"` : ''}>${h(label)}</button></form>`;
}
