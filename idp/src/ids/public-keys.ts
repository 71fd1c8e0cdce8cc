import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import forge from 'node-forge';
import { IdpError } from '../shared/errors.js';
import type { IdsContext } from './context.js';

/**
 * `GET /ids/v1/keys/token/public[/csr|/x509]` (IdS 12.6(2)+, reference A.1.4): the token-signing
 * key for local validation of RS256 tokens, as text/plain PEM (`download=true` makes it an
 * attachment). Protected by the IdS admin's credentials (HTTP Basic), as Cisco documents.
 */
export function handlePublicKey(ctx: IdsContext, req: Request, res: Response, form: 'public' | 'csr' | 'x509'): void {
  requireAdmin(ctx, req, res);
  const keys = ctx.pki.systems.ids.signing;
  let body: string;
  if (form === 'public') body = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  else if (form === 'x509') body = keys.certPem;
  else body = csrPem(ctx);
  if ((req.query as Record<string, unknown>)['download'] === 'true') {
    res.attachment(form === 'public' ? 'ids-token-public.pem' : form === 'csr' ? 'ids-token.csr' : 'ids-token.crt');
  }
  // After attachment(), which sets a type from the file name: Cisco documents text/plain for all three.
  res.type('text/plain');
  res.send(body);
}

let csrCache: { key: string; pem: string } | undefined;

/** A PKCS#10 request for the token key, subject CN = the IdS host (generated once per key). */
function csrPem(ctx: IdsContext): string {
  const keys = ctx.pki.systems.ids.signing;
  if (csrCache?.key === keys.fingerprintSha256) return csrCache.pem;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([{ name: 'commonName', value: ctx.entityId }, { name: 'organizationName', value: 'idp-harness' }]);
  csr.sign(forge.pki.privateKeyFromPem(keys.keyPem), forge.md.sha256.create());
  csrCache = { key: keys.fingerprintSha256, pem: forge.pki.certificationRequestToPem(csr) };
  return csrCache.pem;
}

/** HTTP Basic with the IdS admin credentials (`ids.admin`); 401 with a challenge otherwise. */
export function requireAdmin(ctx: IdsContext, req: Request, res: Response): void {
  const auth = req.headers.authorization ?? '';
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const expected = `${ctx.config.admin.username}:${ctx.config.admin.password}`;
  const a = Buffer.from(decoded);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    res.set('WWW-Authenticate', 'Basic realm="Cisco Identity Service"');
    throw new IdpError('ERR_IDS_ADMIN_UNAUTHORIZED', 'The IdS administrator credentials are required.', { status: 401 });
  }
}
