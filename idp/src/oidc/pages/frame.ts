import { pageLayout } from '../../http/html.js';

/** The OpenID Provider's pages: the lab's card, headed with the issuer's name. */
export function oidcPage(title: string, issuerName: string, body: string): string {
  return pageLayout({
    title,
    header: `idp-harness OpenID Provider (${issuerName})`,
    body,
    footer: 'idp-harness — an offline OpenID Connect provider for testing. Not a real identity provider.',
  });
}

/**
 * The OP's pages must not be framed by another site (clickjacking of the consent and logout
 * buttons, RFC 6749 §10.13): CSP frame-ancestors, and X-Frame-Options for older browsers.
 */
export const NO_FRAMING = { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' } as const;
