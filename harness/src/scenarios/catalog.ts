import { ADFS_SCENARIOS } from './adfs/index.js';
import { CISCO_SCENARIOS } from './cisco/index.js';
import { CXONE_SCENARIOS } from './cxone/index.js';
import { OIDC_SCENARIOS } from './oidc/index.js';
import type { Scenario } from './scenario.js';

/**
 * Every built-in scenario, in the order `scenarios run` takes them: the Cisco chain (F1–F3),
 * SAML and OIDC against AD FS and the OpenID Provider (F7), then CXone (F4–F6).
 */
export const SCENARIOS: readonly Scenario[] = checked([...CISCO_SCENARIOS, ...ADFS_SCENARIOS, ...OIDC_SCENARIOS, ...CXONE_SCENARIOS]);

/** Ids are what users type and JUnit names: they must be unique kebab-case. */
function checked(list: Scenario[]): Scenario[] {
  const seen = new Set<string>();
  for (const s of list) {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s.id)) throw new Error(`scenario id '${s.id}' is not kebab-case`);
    if (seen.has(s.id)) throw new Error(`scenario id '${s.id}' is used twice`);
    seen.add(s.id);
  }
  return list;
}
