import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cxoneAdmin } from '../src/clients/cxone/admin-api.js';
import { CXONE_SCENARIOS } from '../src/scenarios/cxone/index.js';
import type { RunResult } from '../src/scenarios/result.js';
import { runScenarios } from '../src/scenarios/runner.js';
import type { ScenarioTarget } from '../src/scenarios/scenario.js';
import { connectTarget } from '../src/scenarios/target.js';
import { startTestLab } from '../src/start-lab.js';
import type { Lab } from '../../idp/src/lab.js';

/**
 * The CXone scenarios (flows F4, F5, F6) through the runner against in-process labs, driven only
 * over the wire: every one passes on plain HTTP, with the runner's reset and without it (then
 * they must leave the lab as they found it); the federated ones pass over TLS with the lab CA;
 * and a lab that misbehaves (a wrong IdP certificate uploaded to "Lab AD FS") makes the SAML
 * scenario fail with CXone's code.
 */
const SERVICES = ['adfs', 'oidc', 'cxone', 'console'] as const;

/** The failures of a run, readable in an assertion message. */
const failures = (r: RunResult) => r.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.id}: ${s.status} ${s.error?.type ?? ''} ${s.error?.message ?? s.skipReason ?? ''}`);

describe('CXone scenarios on plain HTTP', () => {
  let lab: Lab;
  let target: ScenarioTarget;
  beforeAll(async () => {
    lab = await startTestLab({ services: SERVICES });
    target = await connectTarget(lab.urls.console!);
  });
  afterAll(() => lab?.stop());

  it('are well formed: unique ids, tagged cxone, flows F4–F6, needs within the lab services', () => {
    const ids = CXONE_SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CXONE_SCENARIOS.length).toBeGreaterThanOrEqual(12);
    for (const s of CXONE_SCENARIOS) {
      expect(s.id).toMatch(/^cxone-[a-z0-9-]+$/);
      expect(s.tags).toContain('cxone');
      expect(['F4', 'F5', 'F6']).toContain(s.flow);
      expect(s.needs).toContain('cxone');
      for (const n of s.needs) expect(SERVICES).toContain(n);
    }
    // Every flow and the negative / FICAM sides are covered.
    const tagged = (t: string) => CXONE_SCENARIOS.filter((s) => s.tags.includes(t)).map((s) => s.flow);
    expect(new Set(tagged('negative'))).toEqual(new Set(['F4', 'F5', 'F6']));
    expect(new Set(tagged('ficam'))).toEqual(new Set(['F4', 'F5']));
  });

  it('all pass through the runner (reset before each)', async () => {
    const r = await runScenarios(CXONE_SCENARIOS, target);
    expect(failures(r)).toEqual([]);
    if (process.env['SCENARIO_TIMES']) console.log(r.scenarios.map((x) => `${x.id} ${x.durationMs}`).join('\n'));
    expect(r.summary).toMatchObject({ total: CXONE_SCENARIOS.length, passed: CXONE_SCENARIOS.length });
    // Each ran real steps beyond the runner's reset.
    for (const s of r.scenarios) expect(s.steps.length, s.id).toBeGreaterThanOrEqual(2);
  });

  it('all pass again without the reset, and leave the lab as they found it', async () => {
    const admin = cxoneAdmin(lab.urls.cxone!, target.config.cxone.admin);
    const snapshot = async () => ({
      authenticators: ((await admin.call('GET', '/login-authenticators'))['loginAuthenticators'] as Array<Record<string, unknown>>).map((a) => [a['name'], a['active'], JSON.stringify(a['saml'] ?? a['oidc'] ?? a['system'])]),
      users: ((await admin.call('GET', '/users'))['users'] as Array<Record<string, unknown>>).map((u) => [u['username'], u['locked'], u['loginAuthenticatorId']]),
      opClients: (await target.control.oidcClients.list()).map((c) => c.client_id).sort(),
      faults: await target.control.faults.list(),
      clock: await target.control.clock.state().then(({ offsetMs, frozenAt }) => ({ offsetMs, frozenAt })),
    });
    await target.control.reset();
    // One sign-in links agent2 by sub: do it first so the snapshot already holds the linked state.
    expect(failures(await runScenarios(CXONE_SCENARIOS.filter((s) => s.id === 'cxone-oidc-sign-in'), target, { reset: false }))).toEqual([]);
    const before = await snapshot();
    const r = await runScenarios(CXONE_SCENARIOS, target, { reset: false });
    expect(failures(r)).toEqual([]);
    const after = await snapshot();
    expect(after).toEqual(before);
  });

  it('the SAML scenario FAILS with CXone\'s code when "Lab AD FS" holds a certificate AD FS does not sign with', async () => {
    await target.control.reset();
    const admin = cxoneAdmin(lab.urls.cxone!, target.config.cxone.admin);
    const labAdfs = await admin.authenticators.get('Lab AD FS');
    // Another valid certificate of the lab PKI (the sample SP's): the admin uploads the wrong file.
    await admin.authenticators.patch(labAdfs['id'] as string, { saml: { certificate: lab.state.pki.systems['sample-sp'].signing.certPem } });
    const sp = CXONE_SCENARIOS.find((s) => s.id === 'cxone-saml-sp-initiated')!;
    const r = await runScenarios([sp], target, { reset: false });
    const result = r.scenarios[0]!;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('ERR_CXONE_SAML_SIGNATURE');
    const failed = result.steps.filter((s) => s.status === 'failed');
    expect(failed.map((s) => s.name)).toEqual(["CXone's ACS accepts the response and returns a code to the app"]);
    await target.control.reset();
  });
});

describe('CXone scenarios over TLS with the lab CA', () => {
  let lab: Lab;
  let target: ScenarioTarget;
  beforeAll(async () => {
    lab = await startTestLab({ services: SERVICES, tls: true });
    target = await connectTarget(lab.urls.console!, { ca: lab.state.pki.caPem });
  });
  afterAll(() => lab?.stop());

  it('the SAML and OIDC sign-ins and the OP code exchange pass', async () => {
    expect(lab.urls.cxone).toMatch(/^https:/);
    const ids = ['cxone-saml-sp-initiated', 'cxone-oidc-ficam', 'cxone-system-mfa-totp'];
    const r = await runScenarios(CXONE_SCENARIOS.filter((s) => ids.includes(s.id)), target);
    expect(failures(r)).toEqual([]);
    expect(r.summary.passed).toBe(ids.length);
  });
});
