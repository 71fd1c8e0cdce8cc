/** The XML namespaces of the notification service, by the spec that defines each. */
export const NS = {
  /** RFC 6120 §4.8.5 (the stream prefix) and §4.9 (stream error conditions). */
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  /** RFC 6120 §6.4 and §7.3. */
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  /** RFC 6120 §8.3.2. */
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  /** RFC 6120 §4.8.3: the content namespace of a client stream. */
  client: 'jabber:client',
  /** RFC 3921 §3 (legacy session establishment, still sent by Strophe-based desktops). */
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  /** RFC 7395 §3.3.1. */
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  /** XEP-0124 §4 and XEP-0206 §3. */
  httpbind: 'http://jabber.org/protocol/httpbind',
  xbosh: 'urn:xmpp:xbosh',
  /** XEP-0199, XEP-0030, RFC 6121 §2. */
  ping: 'urn:xmpp:ping',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  roster: 'jabber:iq:roster',
  /** XEP-0060 §4.1 (and §7's application error conditions). */
  pubsub: 'http://jabber.org/protocol/pubsub',
  pubsubEvent: 'http://jabber.org/protocol/pubsub#event',
  pubsubErrors: 'http://jabber.org/protocol/pubsub#errors',
  /** The element Finesse wraps each escaped `<Update>` in (reference A.2.6, real capture). */
  push: 'urn:xmpp:push:0',
} as const;
