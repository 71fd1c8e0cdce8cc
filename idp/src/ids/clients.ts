import { z } from 'zod';
import { Collection } from '../directory/collection.js';
import { IdpError } from '../shared/errors.js';
import { substituteServiceUrls } from '../shared/service-urls.js';

/**
 * An Identity Service client (IdS admin → Identity Service Clients, reference A.1.6): a name, a
 * 40-hex client ID and one or more redirect URLs. Cisco's UI shows no client secret, and IdS
 * supports only the authorization-code grant, so a client is identified by its ID and its exact
 * redirect URL. URLs may contain `${finesse}`-style placeholders for the lab's public URLs.
 */
export const IdsClientSchema = z.strictObject({
  name: z.string().min(1).max(100),
  clientId: z.string().regex(/^[0-9a-f]{40}$/, '40 lower-case hex digits (as IdS generates them)'),
  redirectUrls: z.array(z.string().min(1)).min(1, 'at least one redirect URL'),
});
export type IdsClientInput = z.input<typeof IdsClientSchema>;
export type IdsClient = z.output<typeof IdsClientSchema>;

export type IdsClientStore = Collection<typeof IdsClientSchema, IdsClient>;

export function createIdsClientStore(serviceUrls: Readonly<Record<string, string>>): IdsClientStore {
  return new Collection(
    'IdS client',
    IdsClientSchema,
    (c) => c.clientId,
    (c) => ({ ...c, redirectUrls: c.redirectUrls.map((u, i) => checkRedirectUrl(substituteServiceUrls(u, serviceUrls), i)) }),
    (c, others) => {
      for (const o of others) {
        if (o.name.toLowerCase() === c.name.toLowerCase()) {
          throw new IdpError('ERR_CONTROL_CONFLICT', `an IdS client named '${c.name}' already exists`, { status: 409 });
        }
      }
    },
  );
}

/** RFC 6749 §3.1.2: an absolute URI without a fragment. */
function checkRedirectUrl(url: string, i: number): string {
  const u = URL.parse(url);
  if (!u || !/^https?:$/.test(u.protocol) || u.hash !== '') {
    throw new IdpError('ERR_CONTROL_INVALID', `invalid IdS client`, {
      details: { issues: [{ path: `redirectUrls.${i}`, message: `'${url}' is not an absolute http(s) URL without a fragment` }] },
    });
  }
  return url;
}
