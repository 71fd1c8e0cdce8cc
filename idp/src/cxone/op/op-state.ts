import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { SingleUseStore } from '../../shared/single-use-store.js';

/** What an authorization code stands for until the application redeems it. */
export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  userId: string;
  sessionId: string;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  authTime: number;
  amr: string[];
  acr: string | undefined;
  /** Set when the code is redeemed: the grant its tokens belong to, revoked if the code comes back (RFC 6749 §4.1.2). */
  grantId?: string | undefined;
}

/**
 * What every token of one grant shares. A grant is one code redemption or one password grant,
 * and the refreshes that follow it; revoking a grant ends all of its tokens.
 */
export interface IssuedRecord {
  grantId: string;
  clientId: string;
  userId: string;
  /** The CXone browser session the grant came from (undefined for the access-key password grant). */
  sessionId: string | undefined;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

/** A refresh token CXone issued (its `id` claim), so that logout, reset and reuse can end it. */
export interface RefreshRecord extends IssuedRecord {
  id: string;
  scope: string;
  /** For the ID token of a refresh (OIDC Core §12.2: auth_time stays the original sign-in's). */
  authTime: number;
  amr: string[];
  acr: string | undefined;
  /** Replaced by a newer token in a refresh (rotation). */
  usedAt: number | undefined;
}

/** An access token CXone issued (its `jti`): the token is a JWT, the record lets CXone revoke it. */
export interface AccessRecord extends IssuedRecord {
  jti: string;
}

/** A logout chained through an OIDC authenticator's IdP, waiting for the browser to come back (keyed by `state`). */
export interface PendingLogout {
  authenticatorId: string;
  /** The application's registered post_logout_redirect_uri, already checked; undefined: CXone's signed-out page. */
  postLogoutRedirectUri: string | undefined;
  state: string | undefined;
}

/** Past this many records, expired ones are swept before a new one is kept. */
const SWEEP_AT = 10_000;

/** CXone as an OpenID provider: its signing key, codes, the tokens it issued and logouts in flight. */
export class OpState {
  readonly codes: SingleUseStore<CodeGrant>;
  readonly logouts: SingleUseStore<PendingLogout>;
  readonly refreshTokens = new Map<string, RefreshRecord>();
  readonly accessTokens = new Map<string, AccessRecord>();

  constructor(
    readonly clock: Clock,
    readonly signing: { kid: string; privateKey: KeyObject; publicJwk: Record<string, unknown> },
  ) {
    this.codes = new SingleUseStore<CodeGrant>(clock);
    this.logouts = new SingleUseStore<PendingLogout>(clock);
  }

  rememberRefresh(r: RefreshRecord): void {
    sweep(this.refreshTokens, this.clock.now());
    this.refreshTokens.set(r.id, r);
  }

  rememberAccess(r: AccessRecord): void {
    sweep(this.accessTokens, this.clock.now());
    this.accessTokens.set(r.jti, r);
  }

  /** Ends every token of a session (logout), a user (deactivation) or a grant (code or refresh-token reuse). */
  revokeWhere(match: (r: IssuedRecord) => boolean): void {
    for (const r of this.refreshTokens.values()) if (match(r)) r.revoked = true;
    for (const r of this.accessTokens.values()) if (match(r)) r.revoked = true;
  }

  clear(): void {
    this.codes.clear();
    this.logouts.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }
}

function sweep(m: Map<string, IssuedRecord>, now: number): void {
  if (m.size < SWEEP_AT) return;
  for (const [k, r] of m) if (r.expiresAt <= now) m.delete(k);
}
