import type { FinesseContext } from '../context.js';
import { isoTime } from './model.js';
import { document, leaf, node } from './xml-writer.js';

/** The CTI protocol version SystemInfo reports ([INF]: a plausible 12.5 value; no client depends on it). */
const CTI_VERSION = '24';

/**
 * `GET /SystemInfo` (reference A.2.3): one node, always IN_SERVICE, the configured deployment
 * type and `systemAuthMode`, the XMPP domain and its pub-sub subdomain (`pubsub.<xmppDomain>`).
 * Times come from the lab clock; the lab's timezone offset is 0 (UTC).
 */
export function systemInfoXml(ctx: FinesseContext): string {
  const host = new URL(ctx.urls.base).hostname;
  const now = ctx.clock.now();
  const ucce = ctx.config.deploymentType === 'UCCE';
  return document(
    node('SystemInfo', [
      leaf('currentTimestamp', isoTime(now)),
      leaf('deploymentType', ctx.config.deploymentType),
      leaf('license', ''),
      node('primaryNode', [leaf('host', host)]),
      leaf('status', 'IN_SERVICE'),
      leaf('statusReason', ''),
      leaf('systemAuthMode', ctx.config.systemAuthMode),
      leaf('timezoneOffset', 0),
      leaf('uri', '/finesse/api/SystemInfo'),
      leaf('xmppDomain', ctx.xmppDomain),
      leaf('xmppPubSubDomain', `pubsub.${ctx.xmppDomain}`),
      leaf('ctiVersion', CTI_VERSION),
      leaf('ctiHeartbeatInterval', 30),
      leaf('lastCTIHeartbeatStatus', true),
      leaf('lastSuccessCTIHeartbeatTime', isoTime(now)),
      ...(ucce ? [leaf('peripheralId', 5000)] : []),
    ]),
  );
}
