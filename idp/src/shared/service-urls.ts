/**
 * Placeholders in fixture data for the lab's public URLs: `${ids}` → that service's public URL,
 * `${ids.host}` → its host name (Cisco IdS's entity ID is one). Unknown names stay as written.
 */
export function substituteServiceUrls(s: string, urls: Readonly<Record<string, string>>): string {
  return s.replace(/\$\{([a-z-]+)(\.host)?\}/g, (m, name: string, host: string | undefined) => {
    const url = urls[name];
    if (url === undefined) return m;
    return host ? new URL(url).hostname : url;
  });
}
