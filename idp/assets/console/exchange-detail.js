import { el, pretty } from './dom.js';
import { decodeJwt, timeClaims } from './jwt.js';
import { looksLikeXml, prettyXml } from './xml-pretty.js';

const SIGNATURE_TEXT = { valid: 'signature valid', invalid: 'signature invalid', unsigned: 'unsigned', 'not-checked': 'signature not checked' };

/** The badge of a signature status, as the recording service reported it. */
export function signatureBadge(signature) {
  if (!signature) return undefined;
  const status = Object.hasOwn(SIGNATURE_TEXT, signature.status) ? signature.status : 'not-checked';
  return el('span', { class: `sig-badge sig-${status}`, title: signature.detail ?? '' }, SIGNATURE_TEXT[status]);
}

/** A pre block of XML, indented when it parses, as sent otherwise; the raw text one click away. */
function xmlBlock(xml, cls) {
  const indented = prettyXml(xml);
  const block = el('div', { class: 'xml-block' });
  block.append(el('pre', { class: cls }, indented ?? xml));
  if (indented !== null) block.append(el('details', { class: 'raw' }, el('summary', {}, 'raw'), el('pre', { class: 'raw-text' }, xml)));
  else block.append(el('p', { class: 'hint' }, 'Shown as received: not well-formed XML (or it has a DOCTYPE).'));
  return block;
}

function bodyBlock(label, text, cls) {
  if (text === undefined || text === '') return undefined;
  let shown = text;
  if (looksLikeXml(text)) return el('div', {}, el('h4', {}, label), xmlBlock(text, cls));
  if (/^\s*[[{]/.test(text)) {
    try {
      shown = pretty(JSON.parse(text));
    } catch {
      shown = text;
    }
  }
  return el('div', {}, el('h4', {}, label), el('pre', { class: cls }, shown));
}

function jwtBlock(token, index, count, signature) {
  const d = decodeJwt(token);
  const title = `JWT ${index + 1} of ${count}${d.header?.typ ? ` (typ ${d.header.typ})` : ''}`;
  const parts = [el('h4', {}, title)];
  if (d.header) parts.push(el('div', { class: 'label' }, 'header'), el('pre', { class: 'jwt-header' }, pretty(d.header)));
  if (d.encrypted) parts.push(el('p', { class: 'hint' }, 'Encrypted (JWE): only its recipient can read the claims.'));
  if (d.claims !== undefined) {
    parts.push(el('div', { class: 'label' }, 'claims'), el('pre', { class: 'jwt-claims' }, pretty(d.claims)));
    const times = timeClaims(d.claims);
    if (times.length) parts.push(el('p', { class: 'hint jwt-times' }, times.join(' · ')));
  }
  if (d.error) parts.push(el('p', { class: 'hint' }, `${d.error}; the token as sent:`), el('pre', {}, token));
  parts.push(
    el(
      'p',
      { class: 'jwt-signature' },
      'Signature: not re-verified by the console. ',
      signature ? `The service reported: ${SIGNATURE_TEXT[signature.status] ?? signature.status}${signature.detail ? ` (${signature.detail})` : ''}.` : '',
    ),
  );
  parts.push(el('details', { class: 'raw' }, el('summary', {}, 'compact form'), el('pre', { class: 'raw-text' }, token)));
  return el('div', { class: 'jwt' }, parts);
}

/** Everything recorded about one exchange, decoded for a human (built when the row is opened). */
export function exchangeDetail(x) {
  const p = x.payload ?? {};
  const facts = [
    ['id', x.id],
    ['time', x.at],
    ['lab time', x.labAt],
    ['service', `${x.service} (${x.direction === 'in' ? 'received' : 'sent'})`],
    ['request', [x.method, x.path].filter(Boolean).join(' ')],
    ['status', x.status],
    ['user', x.user],
    ['code', x.code],
  ].filter(([, v]) => v !== undefined && v !== '');
  const box = el('div', { class: 'exchange-detail' });
  box.append(el('dl', {}, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))])));
  if (p.signature) box.append(el('p', { class: 'signature' }, signatureBadge(p.signature), ' ', p.signature.detail ?? ''));
  if (p.samlXml !== undefined) box.append(el('h4', {}, 'SAML message'), xmlBlock(p.samlXml, 'xml saml-xml'));
  (p.jwt ?? []).forEach((t, i, all) => box.append(jwtBlock(t, i, all.length, p.signature)));
  const request = bodyBlock('request body', p.http?.requestBody, 'http-request');
  const response = bodyBlock('response body', p.http?.responseBody, 'http-response');
  if (request) box.append(request);
  if (response) box.append(response);
  return box;
}
