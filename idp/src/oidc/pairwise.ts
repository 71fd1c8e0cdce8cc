import { createHmac } from 'node:crypto';

/**
 * Pairwise subject identifiers (OIDC Core §8.1): the same user gets a different, stable `sub` at
 * each sector (the host of the client's redirect URIs, or its sector_identifier_uri), so that two
 * clients cannot correlate them. HMAC-SHA-256 over sector and account, keyed by the lab's secret.
 */
export function pairwiseSubject(secret: string, sectorIdentifier: string, accountId: string): string {
  return createHmac('sha256', secret).update(`${sectorIdentifier}\u0000${accountId.toLowerCase()}`).digest('base64url');
}
