import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { startFixtureOp, type FixtureOp } from './helpers/fixture-op.js';
import { levelsOf, validateJson } from './helpers/validate-run.js';

/**
 * `validate --live`: a real sign-in through the lab's CXone against the validated IdP — the lab's
 * own AD FS (SAML) and OP (OIDC), over TLS — with a temporary login authenticator built from the
 * document, and everything it created removed afterwards. Failures carry a stable code.
 */
const LAB_ADFS_AUTHENTICATOR = '5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51';

describe('validate --live', () => {
  let lab: Lab;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'cxone', 'console'], tls: true });
    dir = mkdtempSync(join(tmpdir(), 'validate-live-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, lab.state.pki.caPem);
  });
  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lab.state.reset();
  });

  const metadataUrl = () => `${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`;
  const live = (...extra: string[]) => ['--ca', ca, '--live', '--lab', lab.urls.console!, ...extra];
  const cxone = () => lab.state.cxone!;
  const agent1 = () => [...cxone().store.users.values()].find((u) => u.username === 'agent1@lab.example')!;
  const tempAuthenticators = () => [...cxone().store.authenticators.values()].filter((a) => a.name.startsWith('idp-harness validate'));

  /** Nothing of the test is left: no authenticator, agent1 back on Lab AD FS, no relying party or client for it. */
  function expectCleanedUp(): void {
    expect(tempAuthenticators()).toEqual([]);
    expect(agent1()).toMatchObject({ loginAuthenticatorId: LAB_ADFS_AUTHENTICATOR, externalIdentity: 'agent1@lab.example', active: true });
    expect(lab.state.relyingParties.list().filter((rp) => rp.name.startsWith('idp-harness validate'))).toEqual([]);
    expect(lab.state.oidcClients.list().filter((c) => c.client_id.startsWith('idp-harness-validate-'))).toEqual([]);
  }

  it('SAML: signs agent1 in to CXone through the lab AD FS, then removes what it created', async () => {
    const { code, report } = await validateJson('--saml-metadata', metadataUrl(), '--target', 'cxone', ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!'));
    expect(report.rules.filter((r) => r.id.startsWith('live.')).map((r) => `${r.id} ${r.level}`)).toEqual([
      'live.lab pass',
      'live.authenticator pass',
      'live.registration pass',
      'live.user pass',
      'live.sign-in pass',
      'live.cleanup pass',
    ]);
    expect(code).toBe(0);
    expect(report.live).toMatchObject({ registeredAtLab: true, kept: false });
    expect(report.live!.register['entity ID']).toBe(`${lab.urls.cxone}/${report.live!.authenticatorId}`);
    expect(report.live!.register['ACS URL (HTTP-POST)']).toBe(`${lab.urls.cxone}/auth/authorize?tenantId=${report.live!.authenticatorId}`);
    // CXone really saw the federated sign-in.
    expect(cxone().sessions.list().some((s) => s.external?.kind === 'saml' && s.external.authenticatorId === report.live!.authenticatorId)).toBe(true);
    expectCleanedUp();
  });

  it('OIDC: signs agent1 in through the lab OP (claim(email) linking), then removes the client and authenticator', async () => {
    const { code, report } = await validateJson('--oidc-discovery', lab.urls.oidc!, '--target', 'cxone', ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!'));
    expect(levelsOf(report, 'live.sign-in')).toEqual(['pass']);
    expect(levelsOf(report, 'live.cleanup')).toEqual(['pass']);
    expect(code).toBe(0);
    expect(report.live!.register['redirect URI']).toBe(`${lab.urls.cxone}/auth/oidc/callback/${report.live!.authenticatorId}`);
    expectCleanedUp();
  });

  it('OIDC with --ficam against the lab FICAM issuer: private_key_jwt and an acr value', async () => {
    const { code, report } = await validateJson('--oidc-discovery', `${lab.urls.oidc}/ficam`, '--ficam', ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!'));
    expect(levelsOf(report, 'live.sign-in')).toEqual(['pass']);
    expect(report.live!.register['client public keys (jwks_uri)']).toBe(`${lab.urls.cxone}/auth/oidc/jwks/${report.live!.authenticatorId}`);
    expect(code).toBe(0);
    expectCleanedUp();
  });

  it('a wrong password fails the sign-in with ERR_VALIDATE_LIVE_IDP_CREDENTIALS_REFUSED (exit 1), and still cleans up', async () => {
    const { code, report } = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'agent1@lab.example', '--password', 'not-the-password'));
    expect(report.rules.find((r) => r.id === 'live.sign-in')).toMatchObject({ level: 'fail', code: 'ERR_VALIDATE_LIVE_IDP_CREDENTIALS_REFUSED' });
    expect(code).toBe(1);
    expectCleanedUp();
  });

  it("a NameID that is not the user's External Identity: CXone's own refusal code", async () => {
    const { code, report } = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!', '--external-identity', 'somebody.else@lab.example'));
    expect(report.rules.find((r) => r.id === 'live.sign-in')).toMatchObject({ level: 'fail', code: 'ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN' });
    expect(code).toBe(1);
    expectCleanedUp();
  });

  it('an unknown CXone user is created for the test and deleted afterwards', async () => {
    const before = cxone().store.users.size;
    const { report } = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'agent2@lab.example', '--password', 'Agent2Pass!', '--idp-user', 'agent2'));
    // agent2 exists at CXone (on Lab OIDC): reassigned and restored, not created.
    expect(levelsOf(report, 'live.sign-in')).toEqual(['pass']);
    const temp = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'supervisor1@lab.example', '--password', 'Super1Pass!'));
    expect(temp.report.rules.find((r) => r.id === 'live.user')?.message).toContain('Created a temporary CXone user');
    expect(levelsOf(temp.report, 'live.sign-in')).toEqual(['pass']);
    expect(cxone().store.users.size).toBe(before);
    expect([...cxone().store.users.values()].find((u) => u.username === 'agent2@lab.example')).toMatchObject({ loginAuthenticatorId: '9c3d7e5f-1a2b-4c8d-9e0f-1a2b3c4d5e61', externalIdentity: 'claim(email):agent2@lab.example' });
  });

  it('--keep keeps the authenticator, and the next run reuses it (same entity ID to register at a partner IdP)', async () => {
    const first = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!', '--keep'));
    expect(first.report.live).toMatchObject({ kept: true });
    expect(tempAuthenticators().map((a) => a.id)).toEqual([first.report.live!.authenticatorId]);
    const second = await validateJson('--saml-metadata', metadataUrl(), ...live('--user', 'agent1@lab.example', '--password', 'Agent1Pass!'));
    expect(second.report.rules.find((r) => r.id === 'live.authenticator')?.message).toMatch(/^Updated the kept SAML login authenticator/);
    expect(second.report.live!.authenticatorId).toBe(first.report.live!.authenticatorId);
    expect(levelsOf(second.report, 'live.sign-in')).toEqual(['pass']);
    expectCleanedUp();
  });

  describe('against an OP that is not the lab’s own', () => {
    let op: FixtureOp;
    beforeAll(async () => {
      op = await startFixtureOp();
    });
    afterAll(async () => {
      await op?.close();
    });

    it('needs --client-id: ERR_VALIDATE_LIVE_CLIENT_REQUIRED, nothing created', async () => {
      const { code, report } = await validateJson('--oidc-discovery', op.issuer('good'), ...live('--user', 'agent1@lab.example', '--password', 'x'));
      expect(report.rules.find((r) => r.id === 'live.authenticator')).toMatchObject({ level: 'fail', code: 'ERR_VALIDATE_LIVE_CLIENT_REQUIRED' });
      expect(code).toBe(1);
      expectCleanedUp();
    });
  });

  it('a lab console that does not answer: live.lab fails with ERR_VALIDATE_LIVE_LAB', async () => {
    const { code, report } = await validateJson('--saml-metadata', metadataUrl(), '--ca', ca, '--live', '--lab', 'http://127.0.0.1:1', '--user', 'agent1@lab.example', '--password', 'x');
    expect(report.rules.find((r) => r.id === 'live.lab')).toMatchObject({ level: 'fail', code: 'ERR_VALIDATE_LIVE_LAB' });
    expect(code).toBe(1);
  });
});
