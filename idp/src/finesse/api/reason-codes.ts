import { z } from 'zod';
import { readFixtureArray } from '../../directory/load-fixtures.js';
import { IdpError } from '../../shared/errors.js';

/**
 * Finesse reason codes (reference A.2.4): what an agent may give with NOT_READY (required when
 * any is configured for them) and LOGOUT (optional). Loaded from `fixtures/finesse/reason-codes.json`.
 * `id` is the database id a client sends as `<reasonCodeId>`; `code` is the number CTI reports.
 */
export const ReasonCodeSchema = z.strictObject({
  id: z.number().int().min(1).max(2_147_483_647),
  code: z.number().int().min(0).max(65_535),
  label: z.string().min(1).max(64),
  category: z.enum(['NOT_READY', 'LOGOUT']),
  /** Offered to every agent; when false, only to members of `teams`. */
  forAll: z.boolean().default(true),
  /** Team names (the `<X>` of a `Team <X>` group) a non-global code belongs to. */
  teams: z.array(z.string().min(1)).default([]),
  /** A code the system sets by itself: never offered to, nor accepted from, an agent. */
  systemCode: z.boolean().default(false),
});

export type ReasonCode = z.output<typeof ReasonCodeSchema>;
export type ReasonCategory = ReasonCode['category'];

export const REASON_CODES_FIXTURE = 'finesse/reason-codes.json';

/** Reads and checks the fixture (ids unique); throws ERR_FIXTURE_INVALID with the record's index. */
export function loadReasonCodes(fixturesDir: string): ReasonCode[] {
  const seen = new Set<number>();
  return readFixtureArray(fixturesDir, REASON_CODES_FIXTURE).map((input, i) => {
    const parsed = ReasonCodeSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ');
      throw new IdpError('ERR_FIXTURE_INVALID', `reason code #${i}: ${issues}`, { details: { index: i } });
    }
    if (seen.has(parsed.data.id)) throw new IdpError('ERR_FIXTURE_INVALID', `reason code #${i}: duplicate id ${parsed.data.id}`, { details: { index: i } });
    seen.add(parsed.data.id);
    return parsed.data;
  });
}

/**
 * The code Finesse records when a supervisor makes an agent NOT_READY: a supervisor cannot give
 * one, "Finesse injects 999 on UCCE / 33 on UCCX" (reference A.2.4). [INF] Its id is not
 * documented; the lab uses the code as the id so `reasonCodeId` shows 999 / 33.
 */
export function supervisorReasonCode(deploymentType: 'UCCE' | 'UCCX'): ReasonCode {
  const code = deploymentType === 'UCCE' ? 999 : 33;
  return { id: code, code, label: 'Supervisor Not Ready', category: 'NOT_READY', forAll: true, teams: [], systemCode: true };
}

/** The codes an agent of `teams` may choose in `category`: global ones and their teams' ones. */
export function codesFor(all: readonly ReasonCode[], category: ReasonCategory, teams: readonly string[]): ReasonCode[] {
  return all.filter((c) => c.category === category && !c.systemCode && (c.forAll || c.teams.some((t) => teams.includes(t))));
}
