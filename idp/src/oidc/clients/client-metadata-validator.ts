import { errors, type Configuration } from 'oidc-provider';
import type { OidcIssuerConfig } from '../../config/schema.js';
import { ficamClientViolations, isFicam } from '../profile/ficam.js';
import { ClaimMappingSchema, LAB_CLIENT_FIELDS } from './client-schema.js';

/**
 * oidc-provider's `extraClientMetadata`: the lab's client fields, checked wherever a client comes
 * from (fixtures and control API through `new Client()`, dynamic registration through the
 * registration endpoint), with `invalid_client_metadata` naming what is wrong. The FICAM
 * registration rules run here, once per client (on the `profile` field, present or not).
 */
export function labClientMetadata(issuer: OidcIssuerConfig): NonNullable<Configuration['extraClientMetadata']> {
  return {
    properties: [...LAB_CLIENT_FIELDS],
    validator: (ctx, key, value, metadata) => {
      if (key === 'first_party') {
        if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('first_party must be a boolean');
        // A client registering itself (RFC 7591) cannot make itself trusted: registered clients
        // are third-party, and the registration response says so (RFC 7591 §3.2.1).
        if (ctx?.oidc?.route === 'registration') (metadata as Record<string, unknown>)['first_party'] = false;
      } else if (key === 'require_pkce') {
        if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('require_pkce must be a boolean');
      } else if (key === 'profile') {
        if (value !== undefined && value !== 'standard' && value !== 'ficam') throw new errors.InvalidClientMetadata("profile must be 'standard' or 'ficam'");
        if (isFicam(issuer, metadata as { profile?: unknown })) {
          const broken = ficamClientViolations(metadata as Record<string, unknown>);
          if (broken.length) throw new errors.InvalidClientMetadata(broken.join('; '));
        }
      } else if (key === 'claim_mapping' && value !== undefined) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new errors.InvalidClientMetadata('claim_mapping must be an object');
        // The lab's own rules (claim names), here too: a registration breaking them would
        // otherwise fail later, in the client store, as a 500.
        const parsed = ClaimMappingSchema.safeParse(value);
        if (!parsed.success) {
          throw new errors.InvalidClientMetadata(`claim_mapping: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`);
        }
      }
    },
  };
}
