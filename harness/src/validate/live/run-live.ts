import { createHash } from 'node:crypto';
import type { Findings, LiveReport } from '../report.js';
import { Browser } from './browser.js';
import { driveSignIn } from './drive-sign-in.js';
import { connectLab, describeRefusal, LiveError, type LabAccess } from './lab-access.js';
import type { LiveOptions } from './live-options.js';

/** What differs between a SAML and an OIDC live test. */
export interface LivePlan {
  /** What identifies the IdP (entity ID, issuer): the kept authenticator's name derives from it. */
  idpIdentity: string;
  /** The admin API body of the authenticator to create (or to update, when one was kept). */
  authenticator(name: string, access: LabAccess): Record<string, unknown>;
  /** The values the IdP must know, from the created authenticator as the admin API shows it. */
  registration(created: any): Record<string, string>;
  /** When the IdP is the lab's own: registers those values there and returns how to undo it. */
  registerAtLab(access: LabAccess, created: any): Promise<(() => Promise<void>) | undefined>;
  /** The user's External Identity during the test (from `--external-identity` or the user's record). */
  externalIdentity(user: { username: string; email: string }): string;
}

/**
 * The live sign-in (`--live`): through the lab's CXone, with a login authenticator built from the
 * validated document. Creates (or, when a kept one exists, updates) the authenticator through the
 * CXone admin API, registers CXone's generated values at the IdP when the IdP is the lab's own
 * (otherwise they are reported for the partner to register), assigns the user, drives the
 * sign-in with a scripted browser, and then undoes everything it changed, in reverse order.
 * Every outcome is a rule: live.lab, live.authenticator, live.registration, live.user,
 * live.sign-in, live.cleanup.
 */
export async function runLive(plan: LivePlan, o: LiveOptions, findings: Findings): Promise<LiveReport | undefined> {
  let access: LabAccess;
  try {
    access = await connectLab(o.lab, o.ca);
  } catch (e) {
    const err = e instanceof LiveError ? e : new LiveError('ERR_VALIDATE_LIVE_LAB', (e as Error).message);
    findings.fail('live.lab', err.message, { code: err.code });
    return undefined;
  }
  findings.pass('live.lab', `Lab console ${o.lab}, CXone at ${access.cxoneUrl}.`);

  const undo: Array<{ what: string; run: () => Promise<void> }> = [];
  const report: LiveReport = { register: {}, registeredAtLab: false, kept: o.keep };
  try {
    const name = `idp-harness validate ${createHash('sha256').update(plan.idpIdentity).digest('hex').slice(0, 12)}`;
    let body: Record<string, unknown>;
    try {
      body = plan.authenticator(name, access);
    } catch (e) {
      if (!(e instanceof LiveError)) throw e;
      findings.fail('live.authenticator', e.message, { code: e.code });
      return report;
    }
    const created = await upsertAuthenticator(access, name, body, findings);
    if (!created) return report;
    report.authenticatorId = created.id;
    report.authenticatorName = name;
    if (!o.keep) undo.push({ what: `delete the login authenticator '${name}'`, run: () => expectOk(access.admin('DELETE', `/login-authenticators/${created.id}`)) });
    report.register = plan.registration(created);

    const unregister = await plan.registerAtLab(access, created);
    if (unregister) {
      report.registeredAtLab = true;
      undo.push({ what: 'remove the registration at the lab IdP', run: unregister });
      findings.pass('live.registration', `The IdP is the lab's own: registered ${describe(report.register)} there for the test.`);
    } else {
      findings.warn(
        'live.registration',
        `Register these values at the IdP before the sign-in can pass: ${describe(report.register)}. ` +
          (o.keep ? 'The authenticator is kept (--keep): the values stay the same on the next run.' : 'Run with --keep so that the next run reuses them.'),
      );
    }

    const restore = await assignUser(access, created.id, plan, o, findings);
    if (!restore) return report;
    undo.unshift({ what: `restore the CXone user '${o.user}'`, run: restore });

    const ua = new Browser(o.ca);
    let outcome;
    try {
      outcome = await driveSignIn(ua, access.cxoneUrl, o.user, o.idpUser ?? o.user, o.password);
    } catch (e) {
      outcome = { ok: false as const, code: 'ERR_VALIDATE_LIVE_NETWORK', message: `The scripted browser failed: ${(e as Error).message}.` };
    }
    if (outcome.ok && outcome.signedInAs.toLowerCase() === o.user.toLowerCase()) {
      findings.pass('live.sign-in', `Signed in to CXone as '${outcome.signedInAs}' through the IdP.`);
    } else if (outcome.ok) {
      findings.fail('live.sign-in', `CXone signed in '${outcome.signedInAs}', not '${o.user}'.`, { code: 'ERR_VALIDATE_LIVE_WRONG_USER' });
    } else {
      findings.fail('live.sign-in', outcome.message, { code: outcome.code });
    }
    return report;
  } catch (e) {
    const err = e instanceof LiveError ? e : new LiveError('ERR_VALIDATE_LIVE_LAB', (e as Error).message);
    findings.fail('live.lab', err.message, { code: err.code });
    return report;
  } finally {
    const problems: string[] = [];
    for (const u of undo) {
      try {
        await u.run();
      } catch (e) {
        problems.push(`could not ${u.what}: ${(e as Error).message}`);
      }
    }
    if (problems.length > 0) findings.warn('live.cleanup', `${problems.join('; ')}. Remove it by hand (CXone admin pages, control API).`);
    else if (undo.length > 0) findings.pass('live.cleanup', `Undone: ${undo.map((u) => u.what).join('; ')}.`);
  }
}

/** Creates the authenticator, or updates the one a previous `--keep` run left (same name, same generated values). */
async function upsertAuthenticator(access: LabAccess, name: string, body: Record<string, unknown>, findings: Findings): Promise<any | undefined> {
  const list = await access.admin('GET', '/login-authenticators');
  if (list.status !== 200) {
    const r = describeRefusal(list);
    throw new LiveError('ERR_VALIDATE_LIVE_LAB', `CXone's admin API refused the lab's administrator (${r.code}): ${r.message}`);
  }
  const kept = (list.body?.loginAuthenticators as Array<{ id: string; name: string }> | undefined)?.find((a) => a.name === name);
  const res = kept ? await access.admin('PATCH', `/login-authenticators/${kept.id}`, body) : await access.admin('POST', '/login-authenticators', body);
  if (res.status !== 200 && res.status !== 201) {
    const r = describeRefusal(res);
    findings.fail('live.authenticator', `CXone refused the login authenticator built from this document: ${r.message}.`, { code: r.code });
    return undefined;
  }
  findings.pass('live.authenticator', `${kept ? 'Updated the kept' : 'Created the'} ${res.body.type} login authenticator '${name}' (${res.body.id}).`);
  return res.body;
}

/**
 * Assigns the CXone user to the authenticator with the test's External Identity: an existing user
 * is moved and later restored exactly; an unknown one is created and later deleted.
 */
async function assignUser(access: LabAccess, authenticatorId: string, plan: LivePlan, o: LiveOptions, findings: Findings): Promise<(() => Promise<void>) | undefined> {
  const users = await access.admin('GET', '/users');
  const existing = (users.body?.users as Array<Record<string, any>> | undefined)?.find((u) => String(u['username']).toLowerCase() === o.user.toLowerCase());
  const email = existing?.['email'] ?? (o.user.includes('@') ? o.user : `${o.user}@validate.invalid`);
  const externalIdentity = plan.externalIdentity({ username: o.user, email });
  let res;
  if (existing) {
    res = await access.admin('PATCH', `/users/${existing['id']}`, { loginAuthenticatorId: authenticatorId, externalIdentity, active: true });
  } else {
    res = await access.admin('POST', '/users', { username: o.user, email, firstName: 'Validate', lastName: 'Live test', active: true, loginAuthenticatorId: authenticatorId, externalIdentity });
  }
  if (res.status !== 200 && res.status !== 201) {
    const r = describeRefusal(res);
    findings.fail('live.user', `CXone refused to assign '${o.user}' to the authenticator: ${r.message}.`, { code: r.code });
    return undefined;
  }
  findings.pass('live.user', `${existing ? 'Assigned the CXone user' : 'Created a temporary CXone user'} '${o.user}' with External Identity '${externalIdentity}'.`);
  if (!existing) return () => expectOk(access.admin('DELETE', `/users/${res.body.id}`));
  const before = { loginAuthenticatorId: existing['loginAuthenticatorId'], externalIdentity: existing['externalIdentity'] ?? null, active: existing['active'] };
  return () => expectOk(access.admin('PATCH', `/users/${existing['id']}`, before));
}

async function expectOk(p: Promise<{ status: number; body: any }>): Promise<void> {
  const r = await p;
  if (r.status >= 300) {
    const d = describeRefusal(r);
    throw new Error(`${d.code}: ${d.message}`);
  }
}

function describe(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
