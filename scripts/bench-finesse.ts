/**
 * The Cisco part of `npm run bench`: full DESIGN F1 token acquisitions per second, with the
 * reference client (`FinesseSsoClient`) against a lab started in this process over plain HTTP:
 *
 *   Finesse /desktop/sso/token → IdS authorize → auto-POST AuthnRequest → AD FS forms page →
 *   sign-in POST → auto-POST SAMLResponse to the IdS ACS (signature checks) → auto-POST uniqueId
 *   to /ids/relay → Finesse /desktop/sso/authcode (code redeemed) → the token JSON.
 *
 * Row 1 (the target): each acquisition is a new client with a new cookie jar, so AD FS shows its
 * form and signs the user in every time, as a desktop does for each agent who starts a shift.
 * Row 2 (information): each worker keeps its cookie jar, so AD FS answers on its session cookie
 * (no form), as a desktop does when it signs in again after its refresh token expired.
 *
 * The lab, the client and the reference signing rate all run in this process, on the same core
 * (bench.ts pins it): the rate is what one core does for the whole exchange, client included.
 * Target (issue): fresh-jar acquisitions ≥ 0.1× the RSA-2048 signing rate, compared per CPU-second
 * of this process as the OpenID Provider part does (the wall-clock rate is shown too).
 */
import { FinesseSsoClient } from '../harness/src/clients/finesse/sso-token-client.js';
import { UserAgent } from '../harness/src/clients/user-agent.js';
import { startTestLab } from '../harness/src/start-lab.js';

/** Issue target: acquisitions per second ≥ this × RSA-2048 signatures per second. */
export const FINESSE_TARGET = 0.1;

/** Per row: a warm-up, then at most `count` acquisitions or `maxMs` of wall time, whichever ends first. */
const PLAN = { warm: 60, count: 3000, maxMs: 5000 };
/** Acquisitions in flight: enough to keep the event loop busy while a request is on the loopback. */
const CONCURRENCY = 4;
const AGENT = { username: 'agent1', password: 'Agent1Pass!' };

export type FinesseRow = [string, string, string];

/** A UserAgent that counts the AD FS sign-in form posts, to prove which path each row measured. */
class CountingUserAgent extends UserAgent {
  formPosts = 0;

  override post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    if ('UserName' in form && 'Password' in form) this.formPosts++;
    return super.post(url, form, headers);
  }
}

interface RowResult {
  /** Acquisitions per second of wall-clock time. */
  perSecond: number;
  /**
   * Acquisitions per CPU-second of this process (all its threads: lab and client): what one idle
   * core would do. Unlike the wall-clock rate it holds when other work shares the machine.
   */
  perCpuSecond: number;
  /** CPU this process used during the row, as a fraction of one core. */
  busy: number;
  count: number;
  formPosts: number;
}

/** CPU seconds this process has used so far (user + system, every thread). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * `count` acquisitions (stopped after `maxMs`), `CONCURRENCY` in flight. `uaFor(worker)` gives the
 * cookie jar of each acquisition. Every answer is checked: a token for the agent, or the run fails.
 */
async function run(finesseUrl: string, uaFor: (worker: number) => CountingUserAgent, count: number, maxMs: number): Promise<RowResult> {
  let started = 0;
  let done = 0;
  let formPosts = 0;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const worker = async (w: number) => {
    while (started < count && performance.now() - t0 < maxMs) {
      started++;
      const ua = uaFor(w);
      const before = ua.formPosts;
      const client = new FinesseSsoClient({ finesseUrl, ...AGENT, userAgent: ua });
      const token = await client.acquire();
      if (token.userId !== AGENT.username || !token.token || !token.refreshToken) {
        throw new Error(`F1 acquisition: unexpected answer ${JSON.stringify(token)}`);
      }
      formPosts += ua.formPosts - before;
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  return { perSecond: done / seconds, perCpuSecond: done / cpu, busy: cpu / seconds, count: done, formPosts };
}

/** Rows for bench.ts's table: F1 acquisitions/s with a fresh and with a reused cookie jar, and the ratio to `rsa`. */
export async function finessePart(rsa: number): Promise<FinesseRow[]> {
  const lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  try {
    const finesseUrl = lab.urls.finesse!;
    // 1. A fresh client and cookie jar per acquisition: the AD FS form every time.
    const fresh = () => new CountingUserAgent();
    await run(finesseUrl, fresh, PLAN.warm, PLAN.maxMs);
    const cold = await run(finesseUrl, fresh, PLAN.count, PLAN.maxMs);
    if (cold.formPosts !== cold.count) throw new Error(`fresh jar: ${cold.formPosts} form posts for ${cold.count} acquisitions`);

    // 2. One cookie jar per worker, signed in during the warm-up: AD FS answers on its session.
    const jars = Array.from({ length: CONCURRENCY }, () => new CountingUserAgent());
    const kept = (w: number) => jars[w]!;
    await run(finesseUrl, kept, PLAN.warm, PLAN.maxMs);
    if (jars.some((j) => j.formPosts === 0)) throw new Error('reused jar: a worker never signed in during the warm-up');
    const warm = await run(finesseUrl, kept, PLAN.count, PLAN.maxMs);
    if (warm.formPosts !== 0) throw new Error(`reused jar: ${warm.formPosts} form posts, expected the AD FS session to answer`);

    // As in the OpenID Provider part, the verdict is on the rate per CPU-second (steady on a shared
    // machine); the wall-clock rate and how busy the process was are shown beside it.
    const ratio = cold.perCpuSecond / rsa;
    const busy = (r: RowResult) => `${(r.busy * 100).toFixed(0)} % busy`;
    return [
      [`Finesse F1 acquisitions/s, fresh cookie jar, AD FS form (${cold.count}, in-process, wall)`, cold.perSecond.toFixed(1), busy(cold)],
      ['Finesse F1 acquisitions per CPU-second, fresh cookie jar', cold.perCpuSecond.toFixed(1), ''],
      ['ratio F1 acquisitions per CPU-s / RSA signatures', ratio.toFixed(3), ratio >= FINESSE_TARGET ? `PASS (≥ ${FINESSE_TARGET})` : `FAIL (< ${FINESSE_TARGET})`],
      [`Finesse F1 acquisitions/s, reused cookie jar, AD FS session (${warm.count}, wall; info)`, warm.perSecond.toFixed(1), busy(warm)],
      ['Finesse F1 acquisitions per CPU-second, reused cookie jar (info)', warm.perCpuSecond.toFixed(1), `÷ RSA ${(warm.perCpuSecond / rsa).toFixed(3)}`],
    ];
  } finally {
    await lab.stop();
  }
}
