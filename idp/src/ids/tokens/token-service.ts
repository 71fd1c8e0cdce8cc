import { IdpError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import { hex40, type AccessSubject, type IdsTokenCodec, type RefreshSubject } from './token-format.js';

/** Identity Service Settings → Security → Tokens (reference A.1.6), as in force now. */
export interface TokenSettings {
  accessTokenMinutes: number;
  refreshTokenHours: number;
  authorizationCodeMinutes: number;
  encrypt: boolean;
  rotateRefreshToken: boolean;
}

/** Who a token speaks for: what the SAML assertion said (uid, user_principal) and the client. */
export interface TokenGrant {
  userId: string;
  upn: string;
  realm: string;
  clientId: string;
}

export interface AccessRecord extends TokenGrant {
  kind: 'access';
  id: string;
  refreshId: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshRecord extends TokenGrant {
  kind: 'refresh';
  id: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  /** The access token most recently issued under this refresh token. */
  latestAccessId: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds. */
  expiresIn: number;
  refreshExpiresIn?: number;
  access: AccessRecord;
  refresh: RefreshRecord;
}

/** Cisco's example scope (reference A.1.4). */
const SCOPE = ['ccc_onprem_apps'];
/** Expired records are kept this long so that a late presenter gets "expired", not "unknown". */
const GRACE_MS = 24 * 3600_000;

/**
 * Issues, refreshes, validates and revokes IdS tokens. Tokens are stateful: a token is valid only
 * while IdS has its record (so a revocation or a lab reset ends it at once), its signature or
 * encryption checks, and the lab clock is before its expiry. The rules are the UCCX Design Guide's
 * (reference A.1.5): "Access Tokens can be refreshed only when both the current access token and
 * the refresh token are valid and not expired"; an expired refresh token means a new sign-in.
 */
export class IdsTokenService {
  private readonly records = new Map<string, AccessRecord | RefreshRecord>();

  constructor(
    private readonly deps: {
      codec: IdsTokenCodec;
      clock: Clock;
      settings: () => TokenSettings;
      issuer: string;
      idsId: string;
      /** Told of every token pair issued (the console's exchange list). */
      onIssued?: (tokens: IssuedTokens, how: 'code' | 'refresh') => void;
    },
  ) {}

  /** A fresh access + refresh token pair (code redemption). */
  issue(grant: TokenGrant): IssuedTokens {
    const refresh = this.newRefresh(grant);
    const access = this.newAccess(grant, refresh);
    const issued = this.result(access, refresh, true);
    this.deps.onIssued?.(issued, 'code');
    return issued;
  }

  /**
   * A new access token from a refresh token. `accessToken` is the current access token when the
   * caller has it (Finesse's POST form, the IdS SDK's refreshAccessToken(access, refresh)); without
   * it, the latest access token issued under the refresh token must still be valid.
   */
  refresh(refreshToken: string, accessToken: string | undefined, expectClientId?: string): IssuedTokens {
    const refresh = this.lookup(refreshToken, 'refresh', 'ERR_IDS_REFRESH_TOKEN_INVALID', 'ERR_IDS_REFRESH_TOKEN_EXPIRED');
    if (expectClientId !== undefined && refresh.clientId !== expectClientId) {
      throw new IdpError('ERR_IDS_REFRESH_TOKEN_INVALID', 'The refresh token was issued to another client.', { status: 401 });
    }
    let current: AccessRecord; // checked live; it stays valid until its own expiry, as at IdS
    if (accessToken !== undefined) {
      current = this.lookup(accessToken, 'access', 'ERR_IDS_TOKEN_INVALID', 'ERR_IDS_TOKEN_EXPIRED');
      if (current.refreshId !== refresh.id) {
        throw new IdpError('ERR_IDS_TOKEN_INVALID', 'The access token does not belong to this refresh token.', { status: 401 });
      }
    } else {
      const latest = this.records.get(refresh.latestAccessId);
      if (!latest || latest.kind !== 'access') throw new IdpError('ERR_IDS_TOKEN_INVALID', 'There is no access token to refresh.', { status: 401 });
      this.checkLive(latest, 'ERR_IDS_TOKEN_EXPIRED');
      current = latest;
    }
    let next = refresh;
    if (this.deps.settings().rotateRefreshToken) {
      refresh.revoked = true;
      next = this.newRefresh(refresh);
    }
    const access = this.newAccess(refresh, next);
    const issued = this.result(access, next, next !== refresh);
    this.deps.onIssued?.(issued, 'refresh');
    return issued;
  }

  /** The record of a valid refresh token, without using it; throws as `refresh` would. */
  inspectRefresh(token: string): RefreshRecord {
    return this.lookup(token, 'refresh', 'ERR_IDS_REFRESH_TOKEN_INVALID', 'ERR_IDS_REFRESH_TOKEN_EXPIRED');
  }

  /** The record of a valid access token; throws ERR_IDS_TOKEN_INVALID / _EXPIRED / _REVOKED. */
  validateAccess(token: string): AccessRecord {
    return this.lookup(token, 'access', 'ERR_IDS_TOKEN_INVALID', 'ERR_IDS_TOKEN_EXPIRED');
  }

  /**
   * Revokes a token (IdS SDK removeToken). Revoking a refresh token revokes every access token
   * issued under it. Unknown tokens are ignored (RFC 7009 §2.2). Returns whether one was found.
   */
  revoke(token: string): boolean {
    const payload = this.deps.codec.decode(token);
    const rec = payload && this.records.get(payload.jti);
    if (!rec) return false;
    rec.revoked = true;
    if (rec.kind === 'refresh') {
      for (const r of this.records.values()) if (r.kind === 'access' && r.refreshId === rec.id) r.revoked = true;
    }
    return true;
  }

  /** Revokes every token of a user (admin action, console). Returns how many were live. */
  revokeUser(userId: string): number {
    let n = 0;
    for (const r of this.records.values()) {
      if (r.userId.toLowerCase() === userId.toLowerCase() && !r.revoked) {
        r.revoked = true;
        n++;
      }
    }
    return n;
  }

  list(): Array<AccessRecord | RefreshRecord> {
    return [...this.records.values()];
  }

  clear(): void {
    this.records.clear();
  }

  private lookup<K extends 'access' | 'refresh'>(
    token: string,
    kind: K,
    invalid: 'ERR_IDS_TOKEN_INVALID' | 'ERR_IDS_REFRESH_TOKEN_INVALID',
    expired: 'ERR_IDS_TOKEN_EXPIRED' | 'ERR_IDS_REFRESH_TOKEN_EXPIRED',
  ): Extract<AccessRecord | RefreshRecord, { kind: K }> {
    const payload = this.deps.codec.decode(token);
    if (!payload || payload.iss !== this.deps.issuer) {
      throw new IdpError(invalid, `The ${kind} token is not one this Identity Service issued.`, { status: 401 });
    }
    const rec = this.records.get(payload.jti);
    if (!rec || rec.kind !== kind) throw new IdpError(invalid, `The ${kind} token is unknown to this Identity Service.`, { status: 401 });
    this.checkLive(rec, expired);
    return rec as Extract<AccessRecord | RefreshRecord, { kind: K }>;
  }

  private checkLive(rec: AccessRecord | RefreshRecord, expired: 'ERR_IDS_TOKEN_EXPIRED' | 'ERR_IDS_REFRESH_TOKEN_EXPIRED'): void {
    if (rec.revoked) throw new IdpError('ERR_IDS_TOKEN_REVOKED', `The ${rec.kind} token has been revoked.`, { status: 401 });
    if (this.deps.clock.now() >= rec.expiresAt) {
      throw new IdpError(expired, `The ${rec.kind} token expired at ${new Date(rec.expiresAt).toISOString()}.`, { status: 401 });
    }
  }

  private newRefresh(grant: TokenGrant): RefreshRecord {
    const now = this.deps.clock.now();
    const rec: RefreshRecord = {
      kind: 'refresh',
      id: hex40(),
      userId: grant.userId,
      upn: grant.upn,
      realm: grant.realm,
      clientId: grant.clientId,
      issuedAt: now,
      expiresAt: now + this.deps.settings().refreshTokenHours * 3600_000,
      revoked: false,
      latestAccessId: '',
    };
    this.store(rec);
    return rec;
  }

  private newAccess(grant: TokenGrant, refresh: RefreshRecord): AccessRecord {
    const now = this.deps.clock.now();
    const rec: AccessRecord = {
      kind: 'access',
      id: hex40(),
      refreshId: refresh.id,
      userId: grant.userId,
      upn: grant.upn,
      realm: grant.realm,
      clientId: grant.clientId,
      issuedAt: now,
      expiresAt: now + this.deps.settings().accessTokenMinutes * 60_000,
      revoked: false,
    };
    refresh.latestAccessId = rec.id;
    this.store(rec);
    return rec;
  }

  private result(access: AccessRecord, refresh: RefreshRecord, withRefresh: boolean): IssuedTokens {
    const out: IssuedTokens = {
      accessToken: this.encodeAccess(access),
      expiresIn: Math.round((access.expiresAt - access.issuedAt) / 1000),
      access,
      refresh,
    };
    if (withRefresh) {
      out.refreshToken = this.encodeRefresh(refresh);
      out.refreshExpiresIn = Math.round((refresh.expiresAt - this.deps.clock.now()) / 1000);
    }
    return out;
  }

  private encodeAccess(r: AccessRecord): string {
    const sub: AccessSubject = {
      scope: SCOPE,
      rt: r.refreshId,
      user_id: r.userId,
      realm: r.realm,
      upn: r.upn,
      ids_id: this.deps.idsId,
      client_id: r.clientId,
      token: r.id,
      expiry: r.expiresAt,
      usage: 'access',
      ver: '1.0',
    };
    return this.encode(r, sub);
  }

  private encodeRefresh(r: RefreshRecord): string {
    const sub: RefreshSubject = { ids_id: this.deps.idsId, client_id: r.clientId, token: r.id, expiry: r.expiresAt, usage: 'refresh', ver: '1.0' };
    return this.encode(r, sub);
  }

  private encode(r: AccessRecord | RefreshRecord, sub: AccessSubject | RefreshSubject): string {
    const payload = {
      iss: this.deps.issuer,
      exp: Math.floor(r.expiresAt / 1000),
      iat: Math.floor(r.issuedAt / 1000),
      jti: r.id,
      sub: JSON.stringify(sub),
    };
    return this.deps.codec.encode(payload, this.deps.settings().encrypt);
  }

  /** Adds a record and drops ones long past expiry, so a long-running lab stays bounded. */
  private store(rec: AccessRecord | RefreshRecord): void {
    this.records.set(rec.id, rec);
    if (this.records.size % 256 !== 0) return;
    const cutoff = this.deps.clock.now() - GRACE_MS;
    for (const [id, r] of this.records) if (r.expiresAt < cutoff) this.records.delete(id);
  }
}
