import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage for one issuer, in memory. The library's own memory adapter is a
 * 1000-entry LRU shared process-wide; this one is per issuer, outlives provider rebuilds (key
 * rotation builds a new Provider on the same store, so sessions and tokens survive), is cleared by
 * the control API's reset, and reads clients from the lab's client store.
 *
 * Expiry uses real time because oidc-provider stamps `exp` from Date.now(): the store only
 * forgets what the library already treats as expired (plus its clock tolerance).
 */
export type ClientSource = (clientId: string) => AdapterPayload | undefined;
export type ClientSink = {
  upsert(clientId: string, metadata: AdapterPayload): void;
  destroy(clientId: string): void;
};

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/** Models whose entries belong to a grant and die with it (revocation, reuse detection, logout). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
/** A bound on what a bench or a runaway test can pile up; the oldest entries go first. */
const MAX_ENTRIES = 200_000;

export class IssuerStore {
  private entries = new Map<string, Entry>();
  private grants = new Map<string, Set<string>>();
  private uids = new Map<string, string>();
  private userCodes = new Map<string, string>();
  private writes = 0;

  constructor(
    private readonly clients: ClientSource,
    private readonly clientSink: ClientSink,
    private readonly toleranceMs = 15_000,
  ) {}

  /** The `adapter` option of oidc-provider. */
  readonly factory = (model: string): Adapter => this.adapter(model);

  clear(): void {
    this.entries.clear();
    this.grants.clear();
    this.uids.clear();
    this.userCodes.clear();
  }

  private get(key: string): AdapterPayload | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return e.payload;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const p = e.payload;
    if (p.grantId) this.grants.get(p.grantId)?.delete(key);
    if (p.uid && this.uids.get(p.uid) === key) this.uids.delete(p.uid);
    if (p.userCode && this.userCodes.get(p.userCode) === key) this.userCodes.delete(p.userCode);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.delete(key);
    // Map iteration is insertion order: what remains over the bound is the oldest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.delete(key);
    }
  }

  private adapter(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    if (model === 'Client') {
      return {
        find: async (id) => this.clients(id),
        upsert: async (id, payload) => this.clientSink.upsert(id, payload),
        destroy: async (id) => this.clientSink.destroy(id),
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        consume: async () => undefined,
        revokeByGrantId: async () => undefined,
      };
    }
    return {
      upsert: async (id, payload, expiresIn) => {
        const k = key(id);
        this.delete(k);
        if (++this.writes % 1000 === 0 || this.entries.size >= MAX_ENTRIES) this.sweep();
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 + this.toleranceMs : Number.POSITIVE_INFINITY;
        this.entries.set(k, { payload, expiresAt });
        if (GRANTABLE.has(model) && payload.grantId) {
          let members = this.grants.get(payload.grantId);
          if (!members) this.grants.set(payload.grantId, (members = new Set()));
          members.add(k);
        }
        if (model === 'Session' && payload.uid) this.uids.set(payload.uid, k);
        if (payload.userCode) this.userCodes.set(payload.userCode, k);
      },
      find: async (id) => this.get(key(id)),
      findByUid: async (uid) => {
        const k = this.uids.get(uid);
        return k ? this.get(k) : undefined;
      },
      findByUserCode: async (code) => {
        const k = this.userCodes.get(code);
        return k ? this.get(k) : undefined;
      },
      consume: async (id) => {
        const p = this.get(key(id));
        if (p) p.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => this.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        const members = this.grants.get(grantId);
        if (!members) return;
        for (const k of [...members]) this.delete(k);
        this.grants.delete(grantId);
      },
    };
  }
}
