import { IdpError } from '../../shared/errors.js';
import type { Authenticator, CxoneApplication, CxoneUser } from '../model.js';
import type { StateFile } from './state-file.js';

/** What the state file holds: everything an admin (or a sign-in) changed. */
export interface CxoneSnapshot {
  version: 1;
  authenticators: Authenticator[];
  users: CxoneUser[];
  applications: CxoneApplication[];
}

/**
 * The tenant's authenticators, users and OP applications. Every change goes through `commit`,
 * which writes the whole snapshot to the state file when one is configured, so what an admin
 * created survives a restart (DESIGN §3). Lookups by username are case-insensitive, as CXone's.
 */
export class CxoneStore {
  readonly authenticators = new Map<string, Authenticator>();
  readonly users = new Map<string, CxoneUser>();
  readonly applications = new Map<string, CxoneApplication>();

  constructor(private readonly file: StateFile<CxoneSnapshot> | undefined) {}

  load(s: CxoneSnapshot): void {
    this.authenticators.clear();
    this.users.clear();
    this.applications.clear();
    for (const a of s.authenticators) this.authenticators.set(a.id, a);
    for (const u of s.users) this.users.set(u.id, u);
    for (const c of s.applications) this.applications.set(c.clientId, c);
  }

  snapshot(): CxoneSnapshot {
    return { version: 1, authenticators: [...this.authenticators.values()], users: [...this.users.values()], applications: [...this.applications.values()] };
  }

  /**
   * The saved state, if a state file exists. A file that parses but is not a snapshot of this
   * version (edited by hand, from another tool) is refused at start with its path, rather than
   * half-loaded into maps that a request would then trip over.
   */
  readSaved(): CxoneSnapshot | undefined {
    const saved = this.file?.read();
    if (saved === undefined) return undefined;
    const problem = snapshotProblem(saved);
    if (problem) {
      throw new IdpError('ERR_CXONE_STATE_FILE', `The state file ${this.file!.path} is not a CXone state snapshot: ${problem}. Fix or delete it (the lab then starts from the fixtures).`, {
        status: 500,
      });
    }
    return saved;
  }

  /** Persists the current state (no-op without a state directory). */
  commit(): void {
    this.file?.write(this.snapshot());
  }

  get persistent(): boolean {
    return this.file !== undefined;
  }

  authenticatorByName(name: string): Authenticator | undefined {
    const key = name.trim().toLowerCase();
    for (const a of this.authenticators.values()) if (a.name.toLowerCase() === key) return a;
    return undefined;
  }

  defaultAuthenticator(): Authenticator | undefined {
    for (const a of this.authenticators.values()) if (a.isDefault) return a;
    return undefined;
  }

  userByUsername(username: string): CxoneUser | undefined {
    const key = username.trim().toLowerCase();
    for (const u of this.users.values()) if (u.username.toLowerCase() === key) return u;
    return undefined;
  }

  /** The user of `authenticatorId` whose external identity is exactly `identity` (seed 002 step 5: "must match exactly"). */
  userByExternalIdentity(authenticatorId: string, identity: string): CxoneUser | undefined {
    for (const u of this.users.values()) if (u.loginAuthenticatorId === authenticatorId && u.externalIdentity === identity) return u;
    return undefined;
  }

  /** Any user (of any authenticator) holding `identity`: for refusals that name the mismatch. */
  anyUserByExternalIdentity(identity: string): CxoneUser | undefined {
    for (const u of this.users.values()) if (u.externalIdentity === identity) return u;
    return undefined;
  }

  usersOf(authenticatorId: string): CxoneUser[] {
    return [...this.users.values()].filter((u) => u.loginAuthenticatorId === authenticatorId);
  }
}

/** The shape checks a saved snapshot must pass before it is loaded: version, the three lists, and the keys the maps use. */
function snapshotProblem(s: unknown): string | undefined {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return 'expected a JSON object';
  const o = s as Record<string, unknown>;
  if (o['version'] !== 1) return `unsupported version ${JSON.stringify(o['version'])} (expected 1)`;
  const lists = [
    ['authenticators', 'id'],
    ['users', 'id'],
    ['applications', 'clientId'],
  ] as const;
  for (const [list, key] of lists) {
    const items = o[list];
    if (!Array.isArray(items)) return `"${list}" is not a list`;
    const bad = items.findIndex((x) => !x || typeof x !== 'object' || typeof (x as Record<string, unknown>)[key] !== 'string');
    if (bad >= 0) return `${list}[${bad}] has no "${key}"`;
  }
  return undefined;
}
