import { Collection } from '../../directory/collection.js';
import { OidcClientSchema, type OidcClient } from './client-schema.js';

/** Checks a client against its issuer (oidc-provider's metadata validation and the FICAM rules). */
export type ClientValidator = (client: OidcClient) => OidcClient;

export type OidcClientStore = Collection<typeof OidcClientSchema, OidcClient> & {
  /** Set once the issuers exist; until then only the lab's own fields are checked. */
  setValidator(v: ClientValidator): void;
  /** Called after every successful write (add, replace, remove, load). */
  onChange(listener: () => void): void;
};

/**
 * The OIDC clients of every issuer, keyed by `client_id` (unique across the lab, so the control
 * API can address a client by it alone). Fixtures, the control API and dynamic registration all
 * write here; the issuers' oidc-provider instances read from it through their adapter.
 */
export function createOidcClientStore(): OidcClientStore {
  let validator: ClientValidator = (c) => c;
  // The collection compares keys case-insensitively while client_id is case-sensitive on the wire
  // (RFC 6749 §2.2): two ids that differ only in case are refused as a conflict, never confused.
  const store = new Collection('oidc client', OidcClientSchema, (c) => c.client_id, (c) => validator(c)) as OidcClientStore;
  store.setValidator = (v) => {
    validator = v;
  };
  const listeners: Array<() => void> = [];
  store.onChange = (l) => void listeners.push(l);
  for (const method of ['add', 'replace', 'remove', 'load'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => unknown;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const result = original(...args);
      for (const l of listeners) l();
      return result;
    };
  }
  return store;
}

/** The client with exactly this `client_id` (the collection itself ignores case). */
export function findClient(store: OidcClientStore, clientId: string): OidcClient | undefined {
  const c = store.get(clientId);
  return c && c.client_id === clientId ? c : undefined;
}
