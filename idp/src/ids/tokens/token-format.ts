import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The two wire forms of an IdS token (reference A.1.4), both carrying the same payload:
 *  - "Encrypt Token" off: a compact JWS, header `{"cty":"JWT","alg":"RS256"}` exactly as in
 *    Cisco's decoded example (no `kid`, no `typ`), signed with the IdS token key;
 *  - "Encrypt Token" on (Cisco's default): an opaque string. Cisco's format is NOT FOUND
 *    (reference A.1.4), so the lab's is its own, kept in this one file: base64url of
 *    version byte 0x01 ‖ 12-byte IV ‖ AES-256-GCM ciphertext ‖ 16-byte tag, under a key derived
 *    (HKDF-SHA256) from the IdS encryption key, with the version byte as additional data.
 * Only IdS (and Finesse, which asks IdS) can read either form; clients treat tokens as opaque.
 */
export interface IdsTokenPayload {
  iss: string;
  exp: number;
  iat: number;
  jti: string;
  /** A JSON-encoded object (reference A.1.4): see AccessSubject / RefreshSubject. */
  sub: string;
}

export interface AccessSubject {
  scope: string[];
  rt: string;
  user_id: string;
  realm: string;
  upn: string;
  ids_id: string;
  client_id: string;
  token: string;
  expiry: number;
  usage: 'access';
  ver: '1.0';
}

export interface RefreshSubject {
  ids_id: string;
  client_id: string;
  token: string;
  expiry: number;
  usage: 'refresh';
  ver: '1.0';
}

const JWT_HEADER = Buffer.from(JSON.stringify({ cty: 'JWT', alg: 'RS256' })).toString('base64url');
const OPAQUE_VERSION = 0x01;

export class IdsTokenCodec {
  private readonly aesKey: Buffer;

  constructor(
    private readonly signingKey: KeyObject,
    private readonly verifyKey: KeyObject,
    encryptionKey: KeyObject,
  ) {
    const secret = encryptionKey.export({ format: 'der', type: 'pkcs8' });
    this.aesKey = Buffer.from(hkdfSync('sha256', secret, 'idp-harness ids', 'ids token encryption v1', 32));
  }

  encode(payload: IdsTokenPayload, encrypt: boolean): string {
    const json = Buffer.from(JSON.stringify(payload));
    if (!encrypt) {
      const input = `${JWT_HEADER}.${json.toString('base64url')}`;
      return `${input}.${sign('sha256', Buffer.from(input), this.signingKey).toString('base64url')}`;
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.aesKey, iv);
    cipher.setAAD(Buffer.of(OPAQUE_VERSION));
    const body = Buffer.concat([cipher.update(json), cipher.final()]);
    return Buffer.concat([Buffer.of(OPAQUE_VERSION), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The payload of a token this IdS issued, or undefined for anything forged, altered or foreign. */
  decode(token: string): IdsTokenPayload | undefined {
    if (token.length === 0 || token.length > 8192) return undefined;
    const parsed = token.includes('.') ? this.decodeJws(token) : this.decodeOpaque(token);
    return parsed && isPayload(parsed) ? parsed : undefined;
  }

  private decodeJws(token: string): unknown {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== JWT_HEADER) return undefined;
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.verifyKey, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return undefined;
    return parseJson(Buffer.from(parts[1]!, 'base64url'));
  }

  private decodeOpaque(token: string): unknown {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== OPAQUE_VERSION) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.aesKey, raw.subarray(1, 13));
      decipher.setAAD(Buffer.of(OPAQUE_VERSION));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return parseJson(Buffer.concat([decipher.update(raw.subarray(13, raw.length - 16)), decipher.final()]));
    } catch {
      return undefined;
    }
  }
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isPayload(p: unknown): p is IdsTokenPayload {
  if (p === null || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  return typeof o['iss'] === 'string' && typeof o['exp'] === 'number' && typeof o['iat'] === 'number' && typeof o['jti'] === 'string' && typeof o['sub'] === 'string';
}

/** Cisco's ids (token id, IdS node id, client id) are 40 hex digits. */
export function hex40(): string {
  return randomBytes(20).toString('hex');
}

export function stableHex40(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}
