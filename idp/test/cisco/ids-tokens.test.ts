import { spawnSync } from 'node:child_process';
import { createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importSPKI, importX509, jwtVerify, type JWTPayload } from 'jose';
import forge from 'node-forge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { ADMIN_AUTH, api, basic, errorData, finesseUser, HEX40, IDS_ADMIN, idsUrl, refreshGrant, SAMPLE, sampleTokens } from '../helpers/ids-code.js';

/**
 * The IdS token formats and the token-key endpoints (reference A.1.4, docs/cisco.md "Tokens"):
 * Encrypt Token off gives Cisco's RS256 JWS, checked here with jose (independent of the lab's
 * node:crypto code) against the key IdS publishes; Encrypt Token on (the default) gives an opaque
 * string only IdS reads. Either way IdS keeps a record, so an altered token is refused.
 */

const MIN = 60_000;

const spkiDer = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });

/** `openssl req -verify` on a PEM request: its stdout and both streams together. */
function openssl(pem: string, extra: string[] = []): { stdout: string; all: string } {
  const r = spawnSync('openssl', ['req', '-verify', '-noout', ...extra], { input: pem, encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, all: `${r.stdout}\n${r.stderr}` };
}

/** Changes one character in the middle of a base64url segment (every bit of it is data there). */
function flipAt(token: string, i: number): string {
  const c = token[i]!;
  return token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

describe('Cisco IdS tokens', () => {
  let lab: Lab;
  let publicPem: string;
  const host = () => new URL(idsUrl(lab)).hostname;

  const getKey = (path: string, auth?: string) => fetch(`${idsUrl(lab)}/ids/v1/keys/token/${path}`, { headers: auth ? { authorization: auth } : {} });

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
    const res = await getKey('public', ADMIN_AUTH);
    expect(res.status).toBe(200);
    publicPem = await res.text();
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await api(lab, 'POST', '/reset')).status).toBe(200);
  });

  const patch = async (body: Record<string, unknown>) => {
    const r = await api(lab, 'PATCH', '/ids/settings', body);
    expect(r.status, r.text).toBe(200);
  };

  /** jose's verdict on a JWS with the published PEM, at the lab's time, issuer = the IdS host. */
  async function verifyJws(token: string): Promise<JWTPayload> {
    const key = await importSPKI(publicPem, 'RS256');
    const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], issuer: host(), currentDate: new Date(lab.state.clock.now()) });
    return payload;
  }

  describe('Encrypt Token off: RS256 JWS (reference A.1.4)', () => {
    it('issues an access token with header exactly {"cty":"JWT","alg":"RS256"} and Cisco payload, verified by jose', async () => {
      await patch({ encrypt: false });
      // Lab time three days ahead and frozen: iat must be that time, not the machine's (DESIGN §3 clock).
      const at = lab.state.clock.now() + 3 * 24 * 3600_000;
      lab.state.clock.freeze(at);
      const t = await sampleTokens(lab);
      const [h] = t.access.split('.');
      expect(t.access.split('.')).toHaveLength(3);
      expect(Buffer.from(h!, 'base64url').toString('utf8')).toBe('{"cty":"JWT","alg":"RS256"}');
      expect(decodeProtectedHeader(t.access)).toEqual({ cty: 'JWT', alg: 'RS256' });

      const p = await verifyJws(t.access);
      expect(Object.keys(p).sort()).toEqual(['exp', 'iat', 'iss', 'jti', 'sub']);
      expect(p.iss).toBe(host());
      expect(p.jti).toMatch(HEX40);
      expect(p.exp! - p.iat!).toBe(3600);
      expect(p.iat).toBe(Math.floor(at / 1000));
      expect(typeof p.sub).toBe('string');
      const sub = JSON.parse(p.sub!) as Record<string, unknown>;
      expect(Object.keys(sub).sort()).toEqual(['client_id', 'expiry', 'ids_id', 'realm', 'rt', 'scope', 'token', 'upn', 'usage', 'user_id', 'ver']);
      expect(sub['scope']).toEqual(['ccc_onprem_apps']);
      expect(sub['user_id']).toBe('agent1');
      expect(sub['realm']).toBe('lab.example');
      expect(sub['upn']).toBe('agent1@lab.example');
      expect(sub['ids_id']).toMatch(HEX40);
      expect(sub['client_id']).toBe(SAMPLE.clientId);
      expect(sub['token']).toBe(p.jti);
      expect(Math.abs((sub['expiry'] as number) - p.exp! * 1000)).toBeLessThan(1000);
      expect(sub['usage']).toBe('access');
      expect(sub['ver']).toBe('1.0');

      // The refresh token: same envelope, `usage: refresh`, and its jti is the access token's `rt`.
      const r = await verifyJws(t.refresh);
      expect(r.jti).toMatch(HEX40);
      expect(r.jti).not.toBe(p.jti);
      expect(r.exp! - r.iat!).toBe(36000);
      const rsub = JSON.parse(r.sub!) as Record<string, unknown>;
      expect(Object.keys(rsub).sort()).toEqual(['client_id', 'expiry', 'ids_id', 'token', 'usage', 'ver']);
      expect(rsub['usage']).toBe('refresh');
      expect(rsub['token']).toBe(r.jti);
      expect(rsub['ids_id']).toBe(sub['ids_id']);
      expect(rsub['client_id']).toBe(SAMPLE.clientId);
      expect(sub['rt']).toBe(r.jti);

      // A refreshed access token: new jti, same rt.
      const again = await refreshGrant(lab, t.refresh, t.access);
      const q = await verifyJws(again.json!['access_token'] as string);
      expect(q.jti).not.toBe(p.jti);
      expect((JSON.parse(q.sub!) as Record<string, unknown>)['rt']).toBe(r.jti);
    });

    it('verifies with the published certificate too, and not with any other key', async () => {
      await patch({ encrypt: false });
      const t = await sampleTokens(lab);
      const x509 = await (await getKey('public/x509', ADMIN_AUTH)).text();
      const { payload } = await jwtVerify(t.access, await importX509(x509, 'RS256'), { currentDate: new Date(lab.state.clock.now()) });
      expect(payload.iss).toBe(host());
      // AD FS's token-signing key is a valid RSA key, but not IdS's: jose must refuse.
      const other = await importSPKI(lab.state.pki.systems.adfs.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
      await expect(jwtVerify(t.access, other, { currentDate: new Date(lab.state.clock.now()) })).rejects.toThrow();
    });

    it('gives tokens the lifetimes in the settings (access 5 min → expires_in 300, refresh 2 h)', async () => {
      await patch({ encrypt: false, accessTokenMinutes: 5, refreshTokenHours: 2 });
      const t = await sampleTokens(lab);
      expect(t.json['expires_in']).toBe(300);
      expect(t.json['refresh_token_expires_in']).toBe(7200);
      const p = await verifyJws(t.access);
      expect(p.exp! - p.iat!).toBe(300);
      const r = await verifyJws(t.refresh);
      expect(r.exp! - r.iat!).toBe(7200);
      lab.state.clock.advance(5 * MIN - 1_000);
      expect((await finesseUser(lab, t.access)).status).toBe(200);
      lab.state.clock.advance(2_000);
      const rest = await finesseUser(lab, t.access);
      expect(rest.status).toBe(401);
      expect(errorData(rest.body)).toBe('ERR_IDS_TOKEN_EXPIRED');
    });
  });

  describe('Encrypt Token on (the default): opaque', () => {
    it('issues opaque base64url tokens that are not JWTs, yet work at Finesse and for refresh', async () => {
      const settings = await api(lab, 'GET', '/ids/settings');
      expect(settings.json!['encrypt']).toBe(true);
      const t = await sampleTokens(lab);
      for (const token of [t.access, t.refresh]) {
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(token).not.toContain('.');
        expect(() => decodeJwt(token)).toThrow();
        expect(() => decodeProtectedHeader(token)).toThrow();
        // Nothing readable inside: the user name does not appear in the decoded bytes.
        expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('agent1');
      }
      expect((await finesseUser(lab, t.access)).status).toBe(200);
      const r = await refreshGrant(lab, t.refresh, t.access);
      expect(r.status, r.text).toBe(200);
      expect(r.json!['access_token']).not.toContain('.');
      expect((await finesseUser(lab, r.json!['access_token'] as string)).status).toBe(200);
    });

    it('keeps tokens already issued valid when Encrypt Token is switched either way', async () => {
      const opaque = await sampleTokens(lab);
      await patch({ encrypt: false });
      expect((await finesseUser(lab, opaque.access)).status).toBe(200);
      const fromOpaque = await refreshGrant(lab, opaque.refresh, opaque.access);
      expect(fromOpaque.status, fromOpaque.text).toBe(200);
      const jws = fromOpaque.json!['access_token'] as string;
      expect(jws.split('.')).toHaveLength(3); // minted under the new setting
      await verifyJws(jws);
      const jwsPair = await sampleTokens(lab);
      await patch({ encrypt: true });
      expect((await finesseUser(lab, jws)).status).toBe(200);
      expect((await finesseUser(lab, jwsPair.access)).status).toBe(200);
      const fromJws = await refreshGrant(lab, jwsPair.refresh, jwsPair.access);
      expect(fromJws.status, fromJws.text).toBe(200);
      expect(fromJws.json!['access_token']).not.toContain('.');
    });
  });

  describe('altered and forged tokens (F3: 401 for a forged token)', () => {
    async function expectRefused(token: string, label: string): Promise<void> {
      const rest = await finesseUser(lab, token);
      expect(rest.status, label).toBe(401);
      expect(rest.code, label).toBe('ERR_FINESSE_UNAUTHORIZED');
      expect(errorData(rest.body), label).toBe('ERR_IDS_TOKEN_INVALID');
    }

    it('refuses an opaque token with one character changed', async () => {
      const t = await sampleTokens(lab);
      expect((await finesseUser(lab, t.access)).status).toBe(200);
      const n = t.access.length;
      for (const i of [2, Math.floor(n / 2), n - 10]) await expectRefused(flipAt(t.access, i), `opaque @${i}`);
      // The refresh grant refuses an altered refresh token the same way.
      const r = await refreshGrant(lab, flipAt(t.refresh, Math.floor(t.refresh.length / 2)), t.access);
      expect(r.status).toBe(400);
      expect(r.json!['error']).toBe('invalid_grant');
      expect(r.headers.get('x-idp-harness-error')).toBe('ERR_IDS_REFRESH_TOKEN_INVALID');
      expect((await finesseUser(lab, t.access)).status).toBe(200);
    });

    it('refuses a JWS with one character changed in its header, payload or signature, re-signed by another key, or unsigned', async () => {
      await patch({ encrypt: false });
      const t = await sampleTokens(lab);
      expect((await finesseUser(lab, t.access)).status).toBe(200);
      const [h, p, s] = t.access.split('.') as [string, string, string];
      await expectRefused(flipAt(t.access, 5), 'header');
      await expectRefused(flipAt(t.access, h.length + 1 + Math.floor(p.length / 2)), 'payload');
      await expectRefused(flipAt(t.access, h.length + p.length + 2 + Math.floor(s.length / 2)), 'signature');
      // Same header and payload, a valid RS256 signature by a key IdS does not own (AD FS's).
      const forged = `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), lab.state.pki.systems.adfs.signing.privateKey).toString('base64url')}`;
      await expectRefused(forged, 're-signed');
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
      await expectRefused(none, 'alg none');
    });
  });

  describe('token key endpoints GET /ids/v1/keys/token/public[/x509|/csr] (reference A.1.4)', () => {
    const paths = ['public', 'public/x509', 'public/csr'];

    it('answers 401 with a Basic challenge without the IdS admin credentials', async () => {
      const wrong = [undefined, basic(IDS_ADMIN.username, 'wrong-password'), basic('admin', IDS_ADMIN.password), basic(IDS_ADMIN.username, `${IDS_ADMIN.password}x`), 'Bearer abc', 'Basic !!!'];
      for (const path of paths) {
        for (const auth of wrong) {
          const res = await getKey(path, auth);
          const label = `${path} ${auth ?? '(none)'}`;
          expect(res.status, label).toBe(401);
          expect(res.headers.get('www-authenticate'), label).toMatch(/^Basic realm=/);
          expect(res.headers.get('x-idp-harness-error'), label).toBe('ERR_IDS_ADMIN_UNAUTHORIZED');
          expect(await res.text(), label).not.toContain('-----BEGIN');
        }
      }
    });

    it('publishes the token-signing key as an SPKI PEM, text/plain', async () => {
      const res = await getKey('public', ADMIN_AUTH);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('content-disposition')).toBeNull();
      const pem = await res.text();
      expect(pem.trim()).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/);
      const key = createPublicKey(pem);
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(spkiDer(key).equals(spkiDer(lab.state.pki.systems.ids.signing.publicKey))).toBe(true);
      expect(spkiDer(key).equals(spkiDer(lab.state.pki.systems.ids.encryption.publicKey))).toBe(false);
    });

    it('publishes the certificate of that key at /x509', async () => {
      const res = await getKey('public/x509', ADMIN_AUTH);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const cert = new X509Certificate(await res.text());
      expect(spkiDer(cert.publicKey).equals(spkiDer(lab.state.pki.systems.ids.signing.publicKey))).toBe(true);
    });

    it('publishes a PKCS#10 request for that key at /csr, self-signed (node-forge)', async () => {
      const res = await getKey('public/csr', ADMIN_AUTH);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const pem = await res.text();
      expect(pem).toContain('-----BEGIN CERTIFICATE REQUEST-----');
      const csr = forge.pki.certificationRequestFromPem(pem);
      expect(csr.verify()).toBe(true);
      const csrKey = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey!));
      expect(spkiDer(csrKey).equals(spkiDer(lab.state.pki.systems.ids.signing.publicKey))).toBe(true);
      // The same request with one byte of its signature changed does not verify.
      const tampered = forge.pki.certificationRequestFromPem(pem);
      const sig = tampered.signature as string;
      tampered.signature = sig.slice(0, 10) + String.fromCharCode(sig.charCodeAt(10) ^ 0x01) + sig.slice(11);
      // forge throws on a signature block that does not decrypt, or returns false on a bad digest.
      const verdict = (() => {
        try {
          return tampered.verify();
        } catch {
          return false;
        }
      })();
      expect(verdict).toBe(false);
    });

    describeWithTool('openssl', '/csr through openssl', () => {
      it('is a request openssl req -verify accepts, for the token-signing key', async () => {
        const pem = await (await getKey('public/csr', ADMIN_AUTH)).text();
        // `req -verify` exits 0 either way on OpenSSL 3.0; its verdict is the "verify OK" / "failure" line.
        const good = openssl(pem, ['-pubkey']);
        expect(good.all).toMatch(/self-signature verify OK/);
        expect(spkiDer(createPublicKey(good.stdout)).equals(spkiDer(lab.state.pki.systems.ids.signing.publicKey))).toBe(true);
        const der = Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(forge.pki.certificationRequestFromPem(pem))).getBytes(), 'binary');
        der[der.length - 5] ^= 0x01; // inside the signature
        const bad = openssl(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
        expect(bad.all).not.toMatch(/verify OK/);
        expect(bad.all).toMatch(/verify fail/);
      });
    });

    it('makes each of them an attachment with download=true', async () => {
      for (const path of paths) {
        const res = await getKey(`${path}?download=true`, ADMIN_AUTH);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/plain/);
        expect(res.headers.get('content-disposition'), path).toMatch(/^attachment\b/);
        expect(await res.text(), path).toContain('-----BEGIN');
      }
    });
  });
});
