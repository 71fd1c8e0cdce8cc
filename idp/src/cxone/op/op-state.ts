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
}

/** A refresh token CXone issued (its `id` claim), so that logout, reset and reuse can end it. */
export interface RefreshRecord {
  id: string;
  clientId: string;
  userId: string;
  sessionId: string | undefined;
  scope: string;
  expiresAt: number;
  /** Replaced by a newer token in a refresh (rotation). */
  usedAt: number | undefined;
  revoked: boolean;
}

/** CXone as an OpenID provider: its signing key, codes and refresh tokens. */
export class OpState {
  readonly codes: SingleUseStore<CodeGrant>;
  readonly refreshTokens = new Map<string, RefreshRecord>();

  constructor(
    readonly clock: Clock,
    readonly signing: { kid: string; privateKey: KeyObject; publicJwk: Record<string, unknown> },
  ) {
    this.codes = new SingleUseStore<CodeGrant>(clock);
  }

  /** Ends every refresh token of a session (logout) or of a user (deactivation). */
  revokeWhere(match: (r: RefreshRecord) => boolean): void {
    for (const r of this.refreshTokens.values()) if (match(r)) r.revoked = true;
  }

  clear(): void {
    this.codes.clear();
    this.refreshTokens.clear();
  }
}
