/** `local@domain/resource` → [`local@domain`, `resource`] (RFC 7622 §3.1: the resource follows the first '/'). */
export function splitJid(jid: string): [string, string | undefined] {
  const slash = jid.indexOf('/');
  return slash < 0 ? [jid, undefined] : [jid.slice(0, slash), jid.slice(slash + 1)];
}

/** The bare JID (`local@domain`) of a bare or full JID. */
export function bareOf(jid: string): string {
  return splitJid(jid)[0];
}
