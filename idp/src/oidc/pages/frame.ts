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
