/**
 * Just enough HTML form reading for a scripted sign-in at an arbitrary IdP: every `<form>` with
 * its method, action (resolved) and inputs. Pages whose sign-in needs JavaScript (Entra, Okta's
 * widget) have no such form, and the live test says so instead of guessing.
 */
export interface FormInput {
  name: string;
  type: string;
  value: string;
}

export interface HtmlForm {
  id: string | undefined;
  method: 'GET' | 'POST';
  action: string;
  inputs: FormInput[];
}

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, x: string) => String.fromCodePoint(parseInt(x, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return undefined;
  return decode(m[1] ?? m[2] ?? m[3] ?? '');
}

/** The page's forms, in order (bounded: a page is read once, with linear regexes). */
export function readForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = ` ${m[1] ?? ''}`;
    const inputs: FormInput[] = [];
    for (const i of (m[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const tag = ` ${i[1] ?? ''}`;
      const name = attr(tag, 'name');
      if (name === undefined) continue;
      inputs.push({ name, type: (attr(tag, 'type') ?? 'text').toLowerCase(), value: attr(tag, 'value') ?? '' });
    }
    const action = attr(open, 'action');
    forms.push({
      id: attr(open, 'id'),
      method: (attr(open, 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET',
      action: new URL(action === undefined || action === '' ? pageUrl : action, pageUrl).toString(),
      inputs,
    });
    if (forms.length >= 20) break;
  }
  return forms;
}

/** The form's fields as they would be submitted (every named input with its value). */
export function fieldsOf(form: HtmlForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of form.inputs) if (i.type !== 'submit' && i.type !== 'button' && i.type !== 'image') out[i.name] = i.value;
  return out;
}

/** A sign-in form: one with a password input. */
export function signInForm(forms: HtmlForm[]): HtmlForm | undefined {
  return forms.find((f) => f.inputs.some((i) => i.type === 'password'));
}

/** The page's title, for messages. */
export function titleOf(html: string): string {
  return (/<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1] ?? '').trim();
}
