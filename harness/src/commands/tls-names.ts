import type { LabConfig } from '../../../idp/src/config/schema.js';
import { SERVICE_NAMES } from '../../../idp/src/config/schema.js';

/**
 * The host names the TLS certificate must carry for this configuration: `tls.hostNames` and the
 * host of every enabled service's public URL (a client that reaches `https://adfs.lab.test:9443`
 * checks that name). localhost, the loopback addresses and the compose names are always in it.
 */
export function configuredTlsNames(config: LabConfig): string[] {
  const names = new Set(config.tls.hostNames);
  for (const name of SERVICE_NAMES) {
    const svc = config[name];
    if (svc.enabled && svc.publicUrl) names.add(new URL(svc.publicUrl).hostname.replace(/^\[(.*)\]$/, '$1'));
  }
  return [...names];
}
