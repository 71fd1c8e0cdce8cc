import type { ExchangePayload } from './exchange-log.js';

/**
 * Shared by the lab's SAML service providers (Cisco IdS, CXone) to list what their assertion
 * consumer received: the posted message as text, and what became of its signature.
 */

/** What a validator learnt about the signature before it returned or threw. */
export interface AcsNote {
  signature?: 'valid';
}

/** Largest SAMLResponse field decoded for the list (the consumers refuse larger ones anyway). */
const MAX_ENCODED = 400 * 1024;

/** The posted SAMLResponse as text: a base64 decode, nothing more (the ACS parsed it already). */
export function postedXml(form: Record<string, unknown>): string | undefined {
  const v = form['SAMLResponse'];
  if (typeof v !== 'string' || v.length > MAX_ENCODED) return undefined;
  return Buffer.from(v, 'base64').toString('utf8');
}

/** The signature status of a response at an ACS, from what the validator noted and the code it threw. */
export function acsSignature(note: AcsNote, code: string | undefined, trusted: string): NonNullable<ExchangePayload['signature']> {
  if (note.signature === 'valid') return { status: 'valid', detail: `verified with ${trusted}` };
  if (code === 'ERR_SAML_SIGNATURE_REQUIRED') return { status: 'unsigned', detail: code };
  if (code?.endsWith('_MESSAGE_NOT_SIGNED')) return { status: 'unsigned', detail: `${code}: only the assertion is signed` };
  if (code?.includes('_SIGNATURE')) return { status: 'invalid', detail: code };
  return { status: 'not-checked', detail: code ? `refused before the signature was checked (${code})` : 'not checked' };
}
