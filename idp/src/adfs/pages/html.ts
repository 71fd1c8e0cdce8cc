import { h, pageLayout } from '../../http/html.js';

export { h };

/** The frame every AD FS page shares: the lab's card with AD FS's "Sign In" header. */
export function layout(title: string, serviceName: string, body: string): string {
  return pageLayout({
    title,
    header: serviceName,
    body,
    footer: 'idp-harness — an offline AD FS emulation for testing. Not a real identity provider.',
  });
}
