// PLACEHOLDER (issue 6 in progress): replaced by the module's real implementation before landing.
import type { DiscoveredEndpoints } from '../admin/authenticator-input.js';

export async function discoverOidcSettings(_url: string, _ca: string[]): Promise<DiscoveredEndpoints> {
  throw new Error('not yet');
}
