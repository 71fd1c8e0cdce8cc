// DOM helpers for the console page. Every value is set as text (textContent, attributes through
// setAttribute), never as markup: whatever a client sent the lab is shown, not run.

/** An element with properties and children (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'href') {
      const safe = safeHref(v);
      if (safe) e.setAttribute('href', safe);
    } else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** Only http(s) URLs and same-origin paths become links: a `javascript:` URL from a client stays text. */
export function safeHref(url) {
  const s = String(url);
  // `//host` and `/\host` are other sites: browsers read a backslash after the slash as a second slash.
  if (s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\')) return s;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function link(url, text) {
  return el('a', { href: url, rel: 'noopener', target: url.startsWith('/') ? undefined : '_blank' }, text ?? url);
}

/** Replaces a table body's rows: `rows` is a list of cell lists (strings or nodes). */
export function fillTable(table, rows) {
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren(...rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c)))));
}

export function show(section, visible = true) {
  section.hidden = !visible;
}

export function byId(id) {
  return document.getElementById(id);
}

/** A short line in the page's notice area (errors carry the control API's code). */
export function notify(message, isError = false) {
  const n = byId('notice');
  n.textContent = message;
  n.className = isError ? 'error' : 'ok';
}

export function list(values) {
  return (values ?? []).join(', ');
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}
