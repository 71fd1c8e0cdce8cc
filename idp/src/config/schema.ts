import { z } from 'zod';

/**
 * The one configuration schema of the lab. TypeScript types are inferred from it, every key has
 * its default and its documentation here, and unknown keys are rejected (`strictObject`) so a
 * typo fails loudly at start instead of being silently ignored.
 *
 * Layers, lowest first: these defaults < the config file (`--config` or IDP_HARNESS_CONFIG) <
 * environment variables (IDP_HARNESS__<PATH>) < per-test overrides.
 */

/** What every emulated service has: an on/off switch, where it listens, and how it is reached. */
function serviceShape(defaultPort: number) {
  return {
    /** Start this service with the lab. */
    enabled: z.boolean().default(true),
    /** Interface to bind. Loopback by default: a test lab must not be reachable from the network. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (the in-process starter does this). */
    port: z.number().int().min(0).max(65535).default(defaultPort),
    /**
     * The URL clients use to reach the service (scheme, host, port; no path). Defaults to
     * `<scheme>://localhost:<port>`. Set it when clients reach the lab through another name, e.g.
     * `https://adfs:9443` between compose containers. Issuers and entity IDs derive from it.
     */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .refine((u) => {
        const url = URL.parse(u); // (zod runs this even after the url check failed)
        return url === null || (url.pathname === '/' && !url.search && !url.hash);
      }, 'scheme, host and port only: no path, query or fragment (services are not mounted under a prefix)')
      .optional(),
  };
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const AdfsConfigSchema = z.strictObject({
  ...serviceShape(9443),
  /**
   * The Federation Service identifier: EntityDescriptor@entityID and the Issuer of every message.
   * AD FS defaults to `http://<federation service name>/adfs/services/trust` — http even on an
   * HTTPS-only farm (reference §0). Default: derived from publicUrl's host that way.
   */
  identifier: z.string().min(1).optional(),
  /** Federation Service display name (metadata ServiceDisplayName, sign-in page title). */
  displayName: z.string().min(1).default('idp-harness AD FS'),
  /** AD FS `SsoLifetime`: minutes an SSO session cookie stays valid (farm default 480). */
  ssoLifetimeMinutes: z.number().int().min(1).max(10_080).default(480),
  /**
   * AD FS `SamlMessageDeliveryWindow` (minutes, default 5): SubjectConfirmationData NotOnOrAfter,
   * the replay window for AuthnRequest IDs, and how far an IssueInstant may be off.
   */
  messageDeliveryWindowMinutes: z.number().int().min(1).max(60).default(5),
  /**
   * IdP-initiated sign-on page `/adfs/ls/IdpInitiatedSignOn.aspx`. A stock AD FS 2016+ farm has it
   * off (`EnableIdpInitiatedSignonPage=$false`); the lab turns it on because CXone-style SPs are
   * tested with IdP-initiated logins. Set false to emulate a stock farm.
   */
  idpInitiatedSignOn: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** `EnableRelayStateForIdpInitiatedSignOn`: accept the RPID/RelayState double-encoded form. */
      relayState: z.boolean().default(true),
    })
    .default({ enabled: true, relayState: true }),
  /**
   * Emulated Windows Integrated Authentication: when enabled, a browser without an AD FS session
   * is signed in as `username` with no form, and the assertion carries
   * `urn:federation:authentication:windows` (reference §1.7).
   */
  windowsIntegrated: z
    .strictObject({ enabled: z.boolean().default(false), username: z.string().min(1).optional() })
    .default({ enabled: false }),
  /** Size limits applied before any parsing (reference §4.1 #6). */
  limits: z
    .strictObject({
      /** Largest encoded SAMLRequest/SAMLResponse accepted (bytes). */
      maxEncodedBytes: z.number().int().min(1024).default(64 * 1024),
      /** Largest XML after base64 decoding and DEFLATE inflation (bytes). */
      maxXmlBytes: z.number().int().min(1024).default(128 * 1024),
      /** RelayState limit: saml-bindings §3.4.3 says it MUST NOT exceed 80 bytes. */
      maxRelayStateBytes: z.number().int().min(80).max(8192).default(80),
    })
    .default({ maxEncodedBytes: 64 * 1024, maxXmlBytes: 128 * 1024, maxRelayStateBytes: 80 }),
  /** Secret for pairwise persistent NameIDs (`{persistentId}`); any stable string. */
  persistentIdSecret: z.string().min(8).default('idp-harness-persistent-id-secret'),
});

/** One OpenID Provider of the `oidc` service: several share the port, told apart by URL path. */
export const OidcIssuerSchema = z.strictObject({
  /** Stable name: clients name their issuer by it, and its keys live in `<certsDir>/oidc/<id>/`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes (at most 40)'),
  /**
   * URL path the issuer lives at: `/` for the default issuer at the root, or one segment such as
   * `/ficam`. The issuer identifier is the service's public URL plus this path.
   */
  path: z
    .string()
    .regex(/^\/([a-z0-9][a-z0-9._-]{0,39})?$/i, "'/' or one path segment like '/tenant-a'")
    .refine((p) => !OIDC_RESERVED_SEGMENTS.has(p.slice(1).toLowerCase()), 'collides with an endpoint of the root issuer'),
  /**
   * `standard`: a general-purpose OP (Okta / Entra style). `ficam`: every client of this issuer is
   * held to the FICAM / iGov rules (docs/oidc.md: code flow, PKCE S256, private_key_jwt, nonce and
   * state, ID tokens of at most 5 minutes, acr always present, exact redirect URIs).
   */
  profile: z.enum(['standard', 'ficam']).default('standard'),
});

/** First path segments the root issuer's own endpoints use; a path issuer cannot take them. */
export const OIDC_RESERVED_SEGMENTS: ReadonlySet<string> = new Set([
  '.well-known', 'auth', 'token', 'jwks', 'me', 'session', 'interaction', 'reg', 'request', 'token-introspection',
  'token-revocation', 'health', 'healthz', 'device', 'backchannel', 'challenge',
]);

export const OidcConfigSchema = z.strictObject({
  ...serviceShape(9444),
  /** The issuers; at most one sits at `/` (the default). Clients pick theirs by `issuer` id. */
  issuers: z
    .array(OidcIssuerSchema)
    .min(1)
    .default([
      { id: 'default', path: '/', profile: 'standard' },
      { id: 'ficam', path: '/ficam', profile: 'ficam' },
    ])
    .superRefine((list, ctx) => {
      const seen = (key: 'id' | 'path') => {
        const s = new Set<string>();
        list.forEach((i, n) => {
          const v = i[key].toLowerCase();
          if (s.has(v)) ctx.addIssue({ code: 'custom', path: [n, key], message: `duplicate issuer ${key} '${i[key]}'` });
          s.add(v);
        });
      };
      seen('id');
      seen('path');
    }),
  /**
   * Headless sign-in for CI: the login page is skipped and the `login_hint` user (when it names
   * one) or `username` is signed in. Off by default: the page is shown.
   */
  autoSignIn: z
    .strictObject({ enabled: z.boolean().default(false), username: z.string().min(1).optional() })
    .default({ enabled: false }),
  /** Dynamic client registration (RFC 7591) at `<issuer>/reg`; off by default, as on most IdPs. */
  registration: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** When set, registration requires this bearer token (RFC 7591 §3 initial access token). */
      initialAccessToken: z.string().min(8).optional(),
    })
    .default({ enabled: false }),
  /** Token lifetimes in seconds. FICAM issuers and clients cap ID tokens at 300 (iGov OIDC §3.1). */
  ttl: z
    .strictObject({
      accessToken: z.number().int().min(1).max(86_400).default(3600),
      idToken: z.number().int().min(1).max(86_400).default(3600),
      refreshToken: z.number().int().min(60).max(31_536_000).default(14 * 86_400),
      authorizationCode: z.number().int().min(1).max(600).default(60),
      clientCredentials: z.number().int().min(1).max(86_400).default(600),
      session: z.number().int().min(60).max(31_536_000).default(86_400),
    })
    .default({ accessToken: 3600, idToken: 3600, refreshToken: 14 * 86_400, authorizationCode: 60, clientCredentials: 600, session: 86_400 }),
  /** Secret behind the session cookies' signatures and pairwise subjects; any stable string. */
  secret: z.string().min(16).default('idp-harness-oidc-secret-change-me'),
});

export const IdsConfigSchema = z.strictObject({
  ...serviceShape(8553),
  /**
   * IdS's SAML entity ID. Cisco IdS uses its host name (the FQDN), not a URL (reference A.1.7).
   * Default: publicUrl's host name.
   */
  entityId: z.string().min(1).optional(),
  /**
   * The IdP IdS trusts. Empty: the lab's own AD FS (its metadata, read in-process at start).
   * Otherwise a metadata file (relative to the fixtures folder) uploaded the way the IdS Trust tab
   * takes one; the control API and `/idsadmin` can replace it at run time.
   */
  idpMetadataFile: z.string().min(1).optional(),
  /** Allowed difference between the IdP's clock and IdS's when checking NotBefore/NotOnOrAfter (seconds). */
  clockSkewSeconds: z.number().int().min(0).max(600).default(60),
  /**
   * Identity Service Settings → Security → Tokens, with Cisco's defaults and ranges (reference
   * A.1.6). The control API and `/idsadmin` change them at run time within the same ranges.
   */
  tokens: z
    .strictObject({
      accessTokenMinutes: z.number().int().min(5).max(120).default(60),
      refreshTokenHours: z.number().int().min(2).max(24).default(10),
      authorizationCodeMinutes: z.number().int().min(1).max(10).default(1),
      /** "Encrypt Token": opaque encrypted tokens (Cisco's default) instead of readable RS256 JWTs. */
      encrypt: z.boolean().default(true),
      /** Issue a new refresh token on every refresh (reference A.1.3: ambiguous; off matches the doc). */
      rotateRefreshToken: z.boolean().default(false),
    })
    .default({ accessTokenMinutes: 60, refreshTokenHours: 10, authorizationCodeMinutes: 1, encrypt: true, rotateRefreshToken: false }),
  /** The IdS administrator of `/idsadmin` and of the public-key endpoints (HTTP Basic). */
  admin: z
    .strictObject({ username: z.string().min(1).default('administrator'), password: z.string().min(8).default('IdsAdmin1!') })
    .default({ username: 'administrator', password: 'IdsAdmin1!' }),
});

export const FinesseConfigSchema = z.strictObject({
  ...serviceShape(8445),
  /** UCCE: loginName and loginId differ and REST URLs take the loginId. UCCX: they are interchangeable. */
  deploymentType: z.enum(['UCCE', 'UCCX']).default('UCCE'),
  /**
   * `SystemInfo.systemAuthMode`. HYBRID: each user is SSO or not (`users[].finesse.sso`); SSO: every
   * user signs in through IdS; NON_SSO: Basic only and the SSO token API is off.
   */
  systemAuthMode: z.enum(['SSO', 'HYBRID', 'NON_SSO']).default('HYBRID'),
  /** The IdS client Finesse is registered as (fixtures/ids/clients.json "Finesse"). */
  idsClientId: z.string().regex(/^[0-9a-f]{40}$/, '40 lower-case hex digits').default('e9a4b7c1d2f3a5b6c7d8e9f0a1b2c3d4e5f6a7b8'),
  /** XMPP domain shown in SystemInfo; default: publicUrl's host name. */
  xmppDomain: z.string().min(1).optional(),
  /** Basic sign-in lockout (reference A.2.1: 5 consecutive failures lock the user for 5 minutes). */
  lockout: z
    .strictObject({ attempts: z.number().int().min(1).max(100).default(5), minutes: z.number().int().min(1).max(1440).default(5) })
    .default({ attempts: 5, minutes: 5 }),
  /**
   * The notification service (Openfire as Finesse exposes it, reference A.2.6): XMPP over
   * WebSocket at `/ws` (RFC 7395) and BOSH at `/http-bind` (XEP-0124/0206) on the Finesse host.
   */
  xmpp: z
    .strictObject({
      /**
       * Seconds Finesse waits after an agent's last desktop goes unavailable before it signs the
       * agent out (Dev Guide "Desktop Presence and Forced Logout": 60 s), on the lab clock.
       */
      presenceLogoutSeconds: z.number().int().min(1).max(3600).default(60),
      /** Longest a BOSH request is held open (XEP-0124 `wait`; the client may ask for less). */
      boshMaxWaitSeconds: z.number().int().min(1).max(300).default(60),
      /** A BOSH session with no request for this long is gone (XEP-0124 `inactivity`; Openfire: 30). */
      boshInactivitySeconds: z.number().int().min(2).max(600).default(30),
      /** WebSocket keep-alive: a ping this often; a desktop that misses two is gone. */
      pingSeconds: z.number().int().min(1).max(600).default(30),
      /** Largest stanza (or BOSH body) accepted, in bytes of UTF-8. */
      maxStanzaBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
    })
    .default({ presenceLogoutSeconds: 60, boshMaxWaitSeconds: 60, boshInactivitySeconds: 30, pingSeconds: 30, maxStanzaBytes: 65_536 }),
});

export const CxoneConfigSchema = z.strictObject({
  ...serviceShape(9445),
  /**
   * The tenant this CXone emulation serves (reference B.3: tokens carry `tenantId`, `icBUId`,
   * `icClusterId`; the cxone-configuration document routes by tenant). One tenant per lab.
   */
  tenant: z
    .strictObject({
      id: z.uuid().default('11eb8a4c-5d0e-4f3a-9c51-6a1b2c3d4e5f'),
      name: z.string().min(1).max(100).default('idp-harness lab'),
      /** The business unit number (`icBUId`). */
      businessUnitId: z.number().int().min(1).default(4_600_001),
      /** `icClusterId` and the `cluster` of the cxone-configuration document. */
      clusterId: z.string().min(1).default('C32'),
      /** `area` of the cxone-configuration document (e.g. na1). */
      area: z.string().min(1).default('na1'),
      /**
       * The "system name" a password may not contain (seed 002: "the user's email address,
       * username, first name, last name or system name"). [INF] the product's name as users see it.
       */
      systemName: z.string().min(1).default('CXone'),
    })
    .default({ id: '11eb8a4c-5d0e-4f3a-9c51-6a1b2c3d4e5f', name: 'idp-harness lab', businessUnitId: 4_600_001, clusterId: 'C32', area: 'na1', systemName: 'CXone' }),
  /** Allowed difference between an external IdP's clock and CXone's (SAML windows, ID token exp/iat), seconds. */
  clockSkewSeconds: z.number().int().min(0).max(600).default(60),
  /** Token lifetimes of CXone as an OpenID provider (reference B.3: access 3600 s, refresh 7200 s in the example). */
  tokens: z
    .strictObject({
      accessTokenSeconds: z.number().int().min(60).max(86_400).default(3600),
      idTokenSeconds: z.number().int().min(60).max(86_400).default(3600),
      refreshTokenSeconds: z.number().int().min(60).max(2_592_000).default(7200),
      authorizationCodeSeconds: z.number().int().min(10).max(600).default(60),
    })
    .default({ accessTokenSeconds: 3600, idTokenSeconds: 3600, refreshTokenSeconds: 7200, authorizationCodeSeconds: 60 }),
  /** Minutes a CXone browser session lasts without use (reference B.1: tenant idle timeout, default 20, minimum 5). */
  sessionIdleMinutes: z.number().int().min(5).max(1440).default(20),
  /**
   * One-time passwords of system authenticators (reference B.1: parameters NOT FOUND; [INF]
   * RFC 4226/6238 defaults). `window`: codes accepted either side (TOTP steps) or ahead (HOTP);
   * `hotpResyncLookAhead`: how far ahead two consecutive HOTP codes resynchronise the counter (RFC 4226 §7.4).
   */
  otp: z
    .strictObject({
      digits: z.number().int().min(6).max(8).default(6),
      algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
      periodSeconds: z.number().int().min(15).max(120).default(30),
      window: z.number().int().min(0).max(10).default(1),
      hotpResyncLookAhead: z.number().int().min(2).max(1000).default(50),
    })
    .default({ digits: 6, algorithm: 'SHA1', periodSeconds: 30, window: 1, hotpResyncLookAhead: 50 }),
  /** The tenant administrator of the admin API and pages (HTTP Basic); CXone users with the Administrator role may use a Bearer token instead. */
  admin: z
    .strictObject({ username: z.string().min(1).default('cxone.admin'), password: z.string().min(8).default('CxoneAdmin1!') })
    .default({ username: 'cxone.admin', password: 'CxoneAdmin1!' }),
});

export const ConsoleConfigSchema = z.strictObject({
  ...serviceShape(9000),
  /** The console is plain HTTP by default (DESIGN: http://localhost:9000); set true for TLS. */
  tls: z.boolean().default(false),
  /**
   * The consoles of other lab processes this console also controls (docker compose: one container
   * per emulated system, e.g. `http://adfs:9000`). Empty: this process's services only. The
   * control API then routes, broadcasts and merges across them (idp/src/console/control-peers.ts).
   */
  peers: z.array(z.url({ protocol: /^https?$/ })).default([]),
});

export const LabConfigSchema = z.strictObject({
  tls: z
    .strictObject({
      /** Serve the protocol services over TLS from the lab CA (plain HTTP when false). */
      enabled: z.boolean().default(true),
      /** Extra host names and IPs the TLS certificate must cover (compose names are always in). */
      hostNames: z.array(z.string().min(1)).default([]),
    })
    .default({ enabled: true, hostNames: [] }),
  /** Where the test PKI lives (generated by `npm run certs`); relative paths are from the project root. */
  certsDir: z.string().min(1).default('certs'),
  /** Where the fixture data files live; relative paths are from the project root. */
  fixturesDir: z.string().min(1).default('fixtures'),
  /**
   * Where what an admin creates at run time (CXone authenticators and users) is kept across
   * restarts, written atomically (DESIGN §3). Unset: memory only, seeded from the fixtures.
   * Relative paths are from the project root.
   */
  stateDir: z.string().min(1).optional(),
  log: z
    .strictObject({
      /** Structured JSON log lines on stdout at this level and above. */
      level: logLevel.default('info'),
    })
    .default({ level: 'info' }),
  /**
   * Single sign-on across the lab's IdPs: a sign-in at AD FS or at an OpenID Provider is honoured
   * by the other in the same browser (docs/oidc.md, "Sessions").
   */
  sso: z
    .strictObject({
      shared: z.boolean().default(true),
      /** Minutes the shared session lasts (AD FS's SsoLifetime default, 480). */
      lifetimeMinutes: z.number().int().min(1).max(10_080).default(480),
    })
    .default({ shared: true, lifetimeMinutes: 480 }),
  adfs: AdfsConfigSchema.default(AdfsConfigSchema.parse({})),
  oidc: OidcConfigSchema.default(OidcConfigSchema.parse({})),
  ids: IdsConfigSchema.default(IdsConfigSchema.parse({})),
  finesse: FinesseConfigSchema.default(FinesseConfigSchema.parse({})),
  cxone: CxoneConfigSchema.default(CxoneConfigSchema.parse({})),
  console: ConsoleConfigSchema.default(ConsoleConfigSchema.parse({})),
});

/** What a config file, the environment or a test may write. */
export type LabConfigInput = z.input<typeof LabConfigSchema>;
/** The resolved configuration, every default filled in. */
export type LabConfig = z.output<typeof LabConfigSchema>;
export type AdfsConfig = LabConfig['adfs'];
export type OidcConfig = LabConfig['oidc'];
export type OidcIssuerConfig = OidcConfig['issuers'][number];
export type IdsConfig = LabConfig['ids'];
export type FinesseConfig = LabConfig['finesse'];
export type CxoneConfig = LabConfig['cxone'];
export type ServiceName = 'adfs' | 'oidc' | 'ids' | 'finesse' | 'cxone' | 'console';
export const SERVICE_NAMES: readonly ServiceName[] = ['adfs', 'oidc', 'ids', 'finesse', 'cxone', 'console'];
