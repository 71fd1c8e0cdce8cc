import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The repository of common passwords (seed 002 step 7; reference B.1): the `passwords-common`
 * list of @zxcvbn-ts/language-common, the maintained successor of Dropbox's zxcvbn frequency
 * lists (about 49,000 leaked passwords, most frequent first). Compared case-insensitively, as a
 * whole password: "Dragon1" is refused when "dragon1" is on the list.
 */
let set: Set<string> | undefined;

function commonSet(): Set<string> {
  set ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return set;
}

export function isCommonPassword(password: string): boolean {
  return commonSet().has(password.toLowerCase());
}

/** How many passwords the repository holds (shown in the docs and asserted by a test). */
export function commonPasswordCount(): number {
  return commonSet().size;
}
