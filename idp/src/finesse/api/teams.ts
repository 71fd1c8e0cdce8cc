import type { UserDirectory } from '../../directory/users.js';
import { isFinesseUser, type FinesseUser } from '../finesse-users.js';

/** A Finesse team (User `teamId`/`teamName`, `teams/Team{id,name,uri}`, reference A.2.4). */
export interface Team {
  id: string;
  name: string;
  uri: string;
}

const TEAM_GROUP = /^Team (.+)$/;

/** The names of the user's teams: the `<X>` of each directory group `Team <X>`, in group order. */
export function teamNamesOf(user: FinesseUser): string[] {
  return user.groups.flatMap((g) => {
    const m = TEAM_GROUP.exec(g);
    return m ? [m[1]!] : [];
  });
}

/**
 * A stable numeric team id from the name (FNV-1a, 4 digits). The directory holds names only, and
 * an id that depended on which teams exist would change under a client when a user is added at
 * run time. Two names sharing an id would only show the same `teamId`: membership goes by name.
 */
export function teamId(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(1000 + (h % 9000));
}

export function team(name: string): Team {
  const id = teamId(name);
  return { id, name, uri: `/finesse/api/Team/${id}` };
}

/** The user's own team (User `teamId`/`teamName`): the first one; undefined when in none. */
export function primaryTeam(user: FinesseUser): Team | undefined {
  const first = teamNamesOf(user)[0];
  return first === undefined ? undefined : team(first);
}

export function isSupervisor(user: FinesseUser): boolean {
  return user.role === 'supervisor';
}

/** The teams a supervisor supervises (User `teams`): every team they belong to; none for an agent. */
export function supervisedTeams(user: FinesseUser): Team[] {
  return isSupervisor(user) ? teamNamesOf(user).map(team) : [];
}

/** Whether `supervisor` supervises a team `agent` is in (reference A.2.4 "Invalid Supervisor"). */
export function supervises(supervisor: FinesseUser, agent: FinesseUser): boolean {
  if (!isSupervisor(supervisor) || supervisor.username === agent.username) return false;
  const mine = new Set(teamNamesOf(supervisor));
  return teamNamesOf(agent).some((t) => mine.has(t));
}

/** Every team some Finesse user of the directory is in, by name. */
export function allTeams(users: UserDirectory): Team[] {
  const names = new Set(users.list().filter(isFinesseUser).flatMap(teamNamesOf));
  return [...names].sort().map(team);
}
