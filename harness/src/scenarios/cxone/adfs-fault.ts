import { postAutoPost } from '../../clients/cxone/adfs-pages.js';
import { expectThat } from '../scenario.js';
import { expectNotSignedIn, type CxoneLab } from './kit.js';
import { expectRefused } from './answers.js';
import { spInitiatedAtAdfs, type SamlAuthenticator } from './saml-steps.js';

/** An AD FS fault kind (idp/src/shared/faults.ts ADFS_FAULT_KINDS) a scenario queues. */
export type AdfsFaultKind = 'unsigned' | 'tampered' | 'two-authn-context-class-refs' | 'wrong-assertion-namespace';

/**
 * One AD FS response bent by `kind` (queued for CXone's trust only) must be refused by CXone's
 * ACS with `status` and `code`, and leave no session. The fault must have been taken by this very
 * response, or the refusal would prove nothing about it.
 */
export async function refusedWithAdfsFault(lab: CxoneLab, a: SamlAuthenticator, kind: AdfsFaultKind, status: number, code: string): Promise<void> {
  const queued = (f: { surface: string; kind: string }) => f.surface === 'adfs' && f.kind === kind;
  await lab.control.faults.add({ surface: 'adfs', kind, relyingParty: a.entityId });
  // A scenario that stops before AD FS answered must not leave its fault for the next message.
  lab.defer(`drop the queued ${kind} fault`, async () => {
    if ((await lab.control.faults.list()).some(queued)) await lab.control.faults.clear();
  });
  const ua = lab.browser();
  const post = await spInitiatedAtAdfs(lab, ua, a);
  expectThat(!(await lab.control.faults.list()).some(queued), `AD FS did not take the queued ${kind} fault`);
  expectRefused(await postAutoPost(ua, post), status, code);
  await expectNotSignedIn(lab, ua);
}
