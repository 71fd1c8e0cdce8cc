import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lab's fixture files, read for the defaults of the token commands: a stock lab's passwords,
 * client secrets and client keys (TEST ONLY data). A lab whose users or clients were changed at
 * run time needs the values passed explicitly (--password, …).
 */

function readArray<T>(fixturesDir: string, file: string): T[] {
  const path = join(fixturesDir, file);
  if (!existsSync(path)) return [];
  const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  return Array.isArray(v) ? (v as T[]) : [];
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

export interface FixtureLabUser {
  username: string;
  password: string;
  upn?: string;
  email?: string;
  finesse?: { loginId: string; sso?: boolean };
}

/** A user of fixtures/users.json by user name, UPN, e-mail or Finesse loginId. */
export function labUser(fixturesDir: string, name: string): FixtureLabUser | undefined {
  return readArray<FixtureLabUser>(fixturesDir, 'users.json').find(
    (u) => same(u.username, name) || same(u.upn, name) || same(u.email, name) || u.finesse?.loginId === name,
  );
}

export interface FixtureCxoneUser {
  username: string;
  email?: string;
  password?: string;
  externalIdentity?: string;
  accessKeys?: Array<{ accessKeyId: string; accessKeySecret: string }>;
}

/** A CXone user of fixtures/cxone/users.json by user name or e-mail. */
export function cxoneUser(fixturesDir: string, name: string): FixtureCxoneUser | undefined {
  return readArray<FixtureCxoneUser>(fixturesDir, 'cxone/users.json').find((u) => same(u.username, name) || same(u.email, name));
}

/** The CXone user holding an access key. */
export function cxoneAccessKey(fixturesDir: string, accessKeyId: string): { accessKeyId: string; accessKeySecret: string } | undefined {
  for (const u of readArray<FixtureCxoneUser>(fixturesDir, 'cxone/users.json')) {
    const k = u.accessKeys?.find((x) => x.accessKeyId === accessKeyId);
    if (k) return k;
  }
  return undefined;
}

export interface FixtureCxoneApplication {
  clientId: string;
  type: 'public' | 'confidential' | 'backend';
  clientSecret?: string;
  redirectUris?: string[];
}

export function cxoneApplication(fixturesDir: string, clientId: string): FixtureCxoneApplication | undefined {
  return readArray<FixtureCxoneApplication>(fixturesDir, 'cxone/applications.json').find((a) => a.clientId === clientId);
}

export interface FixtureOidcClient {
  client_id: string;
  issuer?: string;
  client_secret?: string;
  token_endpoint_auth_method?: string;
  token_endpoint_auth_signing_alg?: string;
  grant_types?: string[];
  redirect_uris?: string[];
  scope?: string;
}

export function oidcClient(fixturesDir: string, clientId: string): FixtureOidcClient | undefined {
  return readArray<FixtureOidcClient>(fixturesDir, 'oidc/clients.json').find((c) => c.client_id === clientId);
}

/** A fixture client's private JWK (fixtures/oidc/keys/<client>.private.jwk.json), for private_key_jwt. */
export function oidcClientPrivateJwk(fixturesDir: string, clientId: string): (JsonWebKey & { kid?: string; alg?: string }) | undefined {
  const path = join(fixturesDir, 'oidc', 'keys', `${clientId}.private.jwk.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey & { kid?: string; alg?: string }) : undefined;
}

export interface FixtureIdsClient {
  name: string;
  clientId: string;
  redirectUrls: string[];
}

/** The IdS clients of fixtures/ids/clients.json, in file order. */
export function idsClients(fixturesDir: string): FixtureIdsClient[] {
  return readArray<FixtureIdsClient>(fixturesDir, 'ids/clients.json');
}
