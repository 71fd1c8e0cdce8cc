import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { IdpError } from '../../shared/errors.js';
import { substituteServiceUrls } from '../../shared/service-urls.js';
import type { Authenticator, CxoneApplication, CxoneUser } from '../model.js';
import { hashPassword } from '../system/password-hash.js';
import type { AuthenticatorInput } from '../admin/authenticator-input.js';

/**
 * The tenant a fresh lab starts with: `fixtures/cxone/{authenticators,users,applications}.json`.
 * Authenticators are admin input (validated like an API request) plus a fixed `id`, so that the
 * generated entity ID, ACS and redirect URIs registered at the lab's IdPs stay the same; a SAML
 * certificate can be named by `certificateFile` (relative to the certs folder); `${adfs}`-style
 * placeholders become the services' public URLs.
 */
const FixtureAuthenticator = z.looseObject({
  id: z.uuid(),
  isDefault: z.boolean().default(false),
  saml: z.looseObject({ certificateFile: z.string().min(1).optional() }).optional(),
});

const FixtureUser = z.strictObject({
  id: z.uuid(),
  username: z.string().min(1),
  email: z.string().min(1),
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  role: z.string().min(1).default('Agent'),
  active: z.boolean().default(true),
  loginAuthenticatorId: z.uuid(),
  externalIdentity: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  mfa: z.strictObject({ type: z.enum(['HOTP', 'TOTP']), secret: z.string().regex(/^[A-Z2-7]+=*$/), counter: z.number().int().min(0).default(0) }).optional(),
  accessKeys: z.array(z.strictObject({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) })).default([]),
});

const FixtureApplication = z.strictObject({
  clientId: z.string().min(1),
  name: z.string().min(1),
  type: z.enum(['public', 'confidential', 'backend']),
  clientSecret: z.string().min(1).optional(),
  redirectUris: z.array(z.string().min(1)).default([]),
  postLogoutRedirectUris: z.array(z.string().min(1)).default([]),
});

/** Fixture passwords are hashed once per process: a lab reset must stay fast. */
const hashes = new Map<string, string>();
function fixtureHash(password: string): string {
  let h = hashes.get(password);
  if (!h) hashes.set(password, (h = hashPassword(password)));
  return h;
}

function readArray(dir: string, file: string, urls: Readonly<Record<string, string>>): unknown[] {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const data = JSON.parse(substituteServiceUrls(text, urls)) as unknown;
  if (!Array.isArray(data)) throw new IdpError('ERR_FIXTURE_INVALID', `${path}: expected a JSON array`);
  return data;
}

function invalid(file: string, i: number, e: unknown): IdpError {
  const issues = e instanceof z.ZodError ? e.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : (e as Error).message;
  return new IdpError('ERR_FIXTURE_INVALID', `fixtures/cxone/${file}[${i}]: ${issues}`);
}

export interface FixtureDeps {
  fixturesDir: string;
  certsDir: string;
  serviceUrls: Readonly<Record<string, string>>;
  now: number;
  build(input: AuthenticatorInput, id: string): Authenticator;
}

export function loadCxoneFixtures(d: FixtureDeps): { authenticators: Authenticator[]; users: CxoneUser[]; applications: CxoneApplication[] } {
  const dir = join(d.fixturesDir, 'cxone');
  const authenticators: Authenticator[] = [];
  const rawAuth = readArray(dir, 'authenticators.json', d.serviceUrls);
  for (const [i, raw] of rawAuth.entries()) {
    try {
      const f = FixtureAuthenticator.parse(raw);
      const { id, isDefault, ...rest } = f;
      const input = { ...rest } as Record<string, unknown>;
      if (f.saml?.certificateFile) {
        const { certificateFile, ...saml } = f.saml;
        const path = isAbsolute(certificateFile) ? certificateFile : join(d.certsDir, certificateFile);
        input['saml'] = { ...saml, certificate: readFileSync(path, 'utf8') };
      }
      const a = d.build(input as AuthenticatorInput, id);
      authenticators.push({ ...a, isDefault });
    } catch (e) {
      if (e instanceof IdpError && e.code === 'ERR_FIXTURE_INVALID') throw e;
      throw invalid('authenticators.json', i, e instanceof IdpError ? new Error(`${e.message} ${JSON.stringify(e.details['fieldErrors'] ?? '')}`) : e);
    }
  }
  const stamp = new Date(d.now).toISOString();
  const users = readArray(dir, 'users.json', d.serviceUrls).map((raw, i) => {
    const parsed = FixtureUser.safeParse(raw);
    if (!parsed.success) throw invalid('users.json', i, parsed.error);
    const f = parsed.data;
    if (!authenticators.some((a) => a.id === f.loginAuthenticatorId)) throw invalid('users.json', i, new Error(`unknown loginAuthenticatorId ${f.loginAuthenticatorId}`));
    const u: CxoneUser = {
      id: f.id,
      username: f.username,
      email: f.email,
      firstName: f.firstName,
      lastName: f.lastName,
      role: f.role,
      active: f.active,
      loginAuthenticatorId: f.loginAuthenticatorId,
      externalIdentity: f.externalIdentity,
      password: f.password ? { hash: fixtureHash(f.password), setAt: d.now } : undefined,
      passwordHistory: [],
      mustChangePassword: false,
      failedLogins: 0,
      lockedUntil: undefined,
      mfa: f.mfa ? { type: f.mfa.type, secret: f.mfa.secret, counter: f.mfa.counter, lastTotpStep: undefined } : undefined,
      accessKeys: f.accessKeys,
      createdAt: stamp,
      updatedAt: stamp,
    };
    return u;
  });
  const applications = readArray(dir, 'applications.json', d.serviceUrls).map((raw, i) => {
    const parsed = FixtureApplication.safeParse(raw);
    if (!parsed.success) throw invalid('applications.json', i, parsed.error);
    const a = parsed.data;
    if (a.type !== 'public' && !a.clientSecret) throw invalid('applications.json', i, new Error(`a ${a.type} application needs a clientSecret`));
    if (a.type === 'public' && a.clientSecret) throw invalid('applications.json', i, new Error('a public application has no clientSecret'));
    return { ...a, clientSecret: a.clientSecret } satisfies CxoneApplication;
  });
  return { authenticators, users, applications };
}
