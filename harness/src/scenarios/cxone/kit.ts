import { randomBytes } from 'node:crypto';
import type { ServiceName } from '../../../../idp/src/config/schema.js';
import { cxoneAdmin, type CxoneAdmin } from '../../clients/cxone/admin-api.js';
import { cxoneHome } from '../../clients/cxone/cxone-pages.js';
import { UserAgent } from '../../clients/user-agent.js';
import type { LabControl } from '../../control/lab-control.js';
import { expectThat, ScenarioFailure, type ScenarioContext } from '../scenario.js';

/**
 * What every CXone scenario works with, taken from the target only (so an in-process and a
 * remote lab are alike): the services' URLs, the CXone admin API with the configured tenant
 * administrator, a fresh scripted browser that trusts the lab CA, the lab clock's time, and a
 * list of undo actions run at the end so a scenario leaves the lab as it found it even when the
 * runner does not reset between scenarios (`--no-reset`) or the lab is someone's running one.
 */
export interface CxoneLab {
  readonly cxone: string;
  url(service: ServiceName): string;
  readonly ca: string | undefined;
  readonly admin: CxoneAdmin;
  readonly control: LabControl;
  /** A new browser: its own cookie jar, so no CXone or IdP session carries over. */
  browser(): UserAgent;
  /** The lab clock's time (it may have been moved away from the host's). */
  now(): Promise<Date>;
  /** A short random tag for names this run creates (unique across runs on a persistent lab). */
  readonly tag: string;
  /**
   * The lab directory user `username` (AD FS and the lab OP sign in with it) with its password,
   * read from the control API so no fixture password is copied into a scenario.
   */
  idpUser(username: string): Promise<{ username: string; password: string }>;
  /** Registers an undo action; they run last-in first-out by `withCxoneLab`. */
  defer(what: string, undo: () => Promise<unknown>): void;
}

/** Runs `body` with a `CxoneLab` of `ctx`, then its undo actions (a failing undo is a note, never the scenario's verdict). */
export async function withCxoneLab(ctx: ScenarioContext, body: (lab: CxoneLab) => Promise<void>): Promise<void> {
  const { target } = ctx;
  const url = (service: ServiceName): string => {
    const u = target.urls[service];
    if (!u) throw new ScenarioFailure(`the ${service} service is not running in this lab`);
    return u.replace(/\/+$/, '');
  };
  const undo: Array<[string, () => Promise<unknown>]> = [];
  const cxone = url('cxone');
  const lab: CxoneLab = {
    cxone,
    url,
    ca: target.ca,
    admin: cxoneAdmin(cxone, { ...target.config.cxone.admin, ...(target.ca && { ca: target.ca }) }),
    control: target.control,
    browser: () => new UserAgent(target.ca ? { ca: target.ca } : {}),
    now: async () => {
      const s = (await target.control.clock.state()) as { offsetMs: number; frozenAt: number | null; now?: string };
      return new Date(s.now ?? s.frozenAt ?? Date.now() + s.offsetMs);
    },
    idpUser: async (username) => {
      const u = await target.control.users.get(username);
      return { username: u.username, password: u.password };
    },
    tag: randomBytes(3).toString('hex'),
    defer: (what, fn) => void undo.push([what, fn]),
  };
  try {
    await body(lab);
  } finally {
    for (const [what, fn] of undo.reverse()) {
      try {
        await fn();
      } catch (err) {
        ctx.note(`clean-up "${what}" failed: ${(err as Error).message}`);
      }
    }
  }
}

/** The browser is signed in to CXone as `username` with these `amr` values (the home page says so). */
export async function expectSignedIn(lab: CxoneLab, ua: UserAgent, username: string, amr: readonly string[]): Promise<void> {
  const home = await cxoneHome(ua, lab.cxone);
  expectThat(home, `CXone's home page shows nobody signed in (expected ${username})`);
  expectThat(home.username === username, `CXone's home page shows ${home.username}, expected ${username}`);
  expectThat(amr.every((m) => home.amr.includes(m)), `the session's amr is [${home.amr.join(', ')}], expected [${amr.join(', ')}]`);
}

/** The browser is NOT signed in to CXone (a refusal created no session). */
export async function expectNotSignedIn(lab: CxoneLab, ua: UserAgent): Promise<void> {
  const home = await cxoneHome(ua, lab.cxone);
  expectThat(home === undefined, `a refused sign-in left a CXone session for ${home?.username}`);
}

/** Moves the lab clock back to where `state` was (frozen or flowing with an offset). */
export async function restoreClock(control: LabControl, state: { offsetMs: number; frozenAt: number | null }): Promise<void> {
  if (state.frozenAt !== null) {
    await control.clock.freeze(new Date(state.frozenAt).toISOString());
    return;
  }
  await control.clock.reset();
  if (state.offsetMs !== 0) await control.clock.advance(state.offsetMs);
}
