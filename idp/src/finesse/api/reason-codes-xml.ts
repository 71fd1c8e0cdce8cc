import type { ReasonCode } from './reason-codes.js';
import { leaf, node } from './xml-writer.js';

/** One `<ReasonCode>` (reference A.2.4: uri, id, category, code, label, forAll, systemCode). */
export function reasonCodeXml(c: ReasonCode): string {
  return node('ReasonCode', [
    leaf('uri', `/finesse/api/ReasonCode/${c.id}`),
    leaf('id', c.id),
    leaf('category', c.category),
    leaf('code', c.code),
    leaf('label', c.label),
    leaf('forAll', c.forAll),
    leaf('systemCode', c.systemCode),
  ]);
}

/** `GET /User/<id>/ReasonCodes?category=…` (reference A.2.4): `<ReasonCodes category="…">` and its codes. */
export function reasonCodesXml(category: string, codes: readonly ReasonCode[]): string {
  return node('ReasonCodes', codes.map(reasonCodeXml), { category });
}
