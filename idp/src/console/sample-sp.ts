import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { parse as parseCookies, serialize } from 'cookie';
import type { CacheProvider, Profile, SAML } from '@node-saml/node-saml';
import { decodeRedirect } from '../adfs/inbound/decode-redirect.js';
import { parseSamlXml } from '../adfs/inbound/parse-xml.js';
import { h, layout } from '../adfs/pages/html.js';
import type { LabState } from '../lab.js';

/** The sample SP's identifier, as registered in fixtures/adfs/relying-parties.json. */
export const SAMPLE_SP_ENTITY_ID = 'urn:idp-harness:sample-sp';

/**
 * A built-in sample service provider on the console, so a newcomer can try a sign-in by hand: it
 * is `@node-saml/node-saml` (an independent SAML implementation), signing its AuthnRequests with
 * the PKI's sample-sp key and validating the AD FS response strictly against the metadata's
 * signing certificate. It also serves as the test ACS for browser tests.
 */
export function sampleSp(state: LabState, consoleUrl: string): Router {
  const r = express.Router();
  r.use(express.urlencoded({ extended: false, limit: '512kb' }));
  const adfs = state.adfs;
  const profiles = new Map<string, Profile>();
  // node-saml is loaded on the sample SP's first use, not at start: it is not needed for the lab
  // to answer, and every module loaded before the first request delays start-up.
  let sps: Promise<SampleSps> | undefined;
  const loadSps = () => (sps ??= import('@node-saml/node-saml').then((lib) => createSampleSps(lib, state, consoleUrl)));

  const page = (title: string, body: string) => layout(title, 'idp-harness sample SP', body);

  r.get('/', (req, res) => {
    const profile = profiles.get(parseCookies(req.headers.cookie ?? '')['sample-sp'] ?? '');
    res.type('html').send(
      page(
        'Sample SP',
        adfs
          ? `<p>This sample service provider (node-saml) signs in through the lab's AD FS.</p>
<p><a id="loginRedirect" href="login?binding=redirect">Sign in (HTTP-Redirect)</a> · <a id="loginPost" href="login?binding=post">Sign in (HTTP-POST)</a></p>
${profile ? `<p>Signed in as <b id="nameId">${h(profile.nameID)}</b>. <a id="logout" href="logout">Sign out</a></p>` : ''}`
          : '<p>The adfs service is not running in this lab.</p>',
      ),
    );
  });

  // Without the adfs service there is nobody to sign in with: say so instead of failing inside node-saml.
  r.use(['/login', '/acs', '/logout', '/slo'], (_req, res, next) => {
    if (adfs) return next();
    res.status(503).type('html').send(page('AD FS is not running', '<p id="adfsMissing">The adfs service is not running in this lab.</p>'));
  });

  r.get('/login', async (req, res, next) => {
    try {
      if (req.query['binding'] === 'post') {
        res.type('html').send(await (await loadSps()).postSp.getAuthorizeFormAsync(''));
      } else {
        res.redirect(302, await (await loadSps()).redirectSp.getAuthorizeUrlAsync('', undefined, {}));
      }
    } catch (e) {
      next(e);
    }
  });

  r.post('/acs', async (req, res) => {
    try {
      // DESIGN §3: node-saml parses with @xmldom/xmldom 0.8, quadratic on unclosed markup (60 KB of
      // `<b>` posted here froze the whole lab for ~20 s). Untrusted XML passes the libxml2 door
      // first: size cap, no DOCTYPE, well-formed, SAML schema (idp/test/adfs-security/robustness).
      parseSamlXml(Buffer.from(String((req.body as Record<string, unknown>)['SAMLResponse'] ?? ''), 'base64').toString('utf8'));
      const { profile } = await (await loadSps()).redirectSp.validatePostResponseAsync(req.body as Record<string, string>);
      if (!profile) throw new Error('no profile in the response');
      const id = randomBytes(16).toString('hex');
      profiles.set(id, profile);
      res.append('Set-Cookie', serialize('sample-sp', id, { path: '/sample-sp', httpOnly: true, sameSite: 'lax' }));
      const attrs = Object.entries(profile.attributes ?? {})
        .map(([k, v]) => `<tr><td>${h(k)}</td><td class="claim">${h(Array.isArray(v) ? v.join(', ') : String(v))}</td></tr>`)
        .join('');
      res.type('html').send(
        page(
          'Signed in',
          `<h1 id="signedIn" style="font-size:18px">Signed in</h1>
<p>NameID: <b id="nameId">${h(profile.nameID ?? '')}</b> (${h(profile.nameIDFormat ?? 'no format')})</p>
<p>SessionIndex: <span id="sessionIndex">${h(profile.sessionIndex ?? '')}</span></p>
<table id="claims">${attrs}</table>
<p><a id="logout" href="logout">Sign out</a> · <a href="./">Back</a></p>`,
        ),
      );
    } catch (e) {
      res.status(400).type('html').send(page('Sign-in failed', `<p id="signInError">The SAML response was rejected: ${h((e as Error).message)}</p>`));
    }
  });

  r.get('/logout', async (req, res, next) => {
    try {
      const id = parseCookies(req.headers.cookie ?? '')['sample-sp'] ?? '';
      const profile = profiles.get(id);
      if (!profile) return res.redirect(302, './');
      profiles.delete(id);
      res.redirect(302, await (await loadSps()).redirectSp.getLogoutUrlAsync(profile, '', {}));
    } catch (e) {
      next(e);
    }
  });

  r.get('/slo', async (req, res) => {
    try {
      const raw = req.originalUrl.slice(req.originalUrl.indexOf('?') + 1);
      // As at the ACS, and node-saml inflates without a cap (a deflate bomb): decode with the
      // inbound size limits, then the libxml2 door, before node-saml sees the message.
      parseSamlXml(decodeRedirect(raw).xml);
      const { redirectSp } = await loadSps();
      const result = await redirectSp.validateRedirectAsync(req.query as Record<string, string>, raw);
      if (result.loggedOut && req.query['SAMLRequest'] && result.profile) {
        // AD FS telling us another SP logged out: forget the user, answer with a LogoutResponse.
        for (const [id, p] of profiles) if (p.nameID === result.profile.nameID) profiles.delete(id);
        return res.redirect(302, await redirectSp.getLogoutResponseUrlAsync(result.profile, String(req.query['RelayState'] ?? ''), {}, true));
      }
      res.type('html').send(page('Signed out', '<p id="signedOut">You are signed out of the sample SP and AD FS.</p>'));
    } catch (e) {
      res.status(400).type('html').send(page('Sign-out failed', `<p id="signOutError">${h((e as Error).message)}</p>`));
    }
  });
  // The sample SP's one error handler: a page, never a stack trace (body too large, bad encoding…).
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) state.log.error({ svc: 'console', err }, 'sample SP error');
    res
      .status(status >= 500 ? 500 : status)
      .type('html')
      .send(page('Sample SP error', `<p id="sampleSpError">${status === 413 ? 'The request is too large.' : 'The sample SP could not handle this request.'}</p>`));
  });
  return r;
}

interface SampleSps {
  redirectSp: SAML;
  postSp: SAML;
}

function createSampleSps(lib: typeof import('@node-saml/node-saml'), state: LabState, consoleUrl: string): SampleSps {
  const { SAML, ValidateInResponseTo } = lib;
  const saml = (binding: 'HTTP-Redirect' | 'HTTP-POST', cacheProvider?: CacheProvider) =>
    new SAML({
      issuer: SAMPLE_SP_ENTITY_ID,
      callbackUrl: `${consoleUrl}/sample-sp/acs`,
      entryPoint: state.adfs?.urls.ls ?? '',
      logoutUrl: state.adfs?.urls.ls ?? '',
      logoutCallbackUrl: `${consoleUrl}/sample-sp/slo`,
      idpCert: state.pki.systems.adfs.signing.certPem,
      idpIssuer: state.adfs?.identifier ?? '',
      privateKey: state.pki.systems['sample-sp'].signing.keyPem,
      decryptionPvk: state.pki.systems['sample-sp'].encryption.keyPem,
      signatureAlgorithm: 'sha256',
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.ifPresent,
      ...(cacheProvider ? { cacheProvider } : {}),
      authnRequestBinding: binding,
      // saml-bindings §3.5.4: HTTP-POST carries the message base64-encoded, NOT deflated; node-saml
      // deflates its POST form too unless told not to, and AD FS (like us) refuses that as malformed.
      skipRequestCompression: binding === 'HTTP-POST',
      acceptedClockSkewMs: 5000,
    });
  const redirectSp = saml('HTTP-Redirect');
  // One request-ID cache for both bindings: the ACS validates with the Redirect instance, so the
  // IDs of requests sent by the POST instance must be in its cache (else "InResponseTo is not valid").
  const postSp = saml('HTTP-POST', redirectSp.cacheProvider);
  return { redirectSp, postSp };
}
