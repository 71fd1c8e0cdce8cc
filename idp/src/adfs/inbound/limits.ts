/**
 * Size limits for inbound SAML protocol messages, enforced before any expensive work (base64,
 * inflate, XML parsing). Reference §4.1 item 6: "enforce size limits before and after inflate".
 */
export interface InboundLimits {
  /**
   * Cap on the raw transmitted input: the whole query string for HTTP-Redirect, the
   * `SAMLRequest`/`SAMLResponse` form field (base64 text) for HTTP-POST. Checked before decoding.
   */
  maxEncodedBytes: number;
  /**
   * Cap on the decoded XML in UTF-8 bytes (after base64, and after DEFLATE for HTTP-Redirect, where
   * `zlib` stops inflating at this size so a deflate bomb costs at most this much memory).
   */
  maxXmlBytes: number;
  /**
   * Cap on the decoded `RelayState` in bytes. saml-bindings §3.4.3 / §3.5.3: "The value MUST NOT
   * exceed 80 bytes in length". Some SPs send more; a deployment may configure a lenient value.
   */
  maxRelayStateBytes: number;
}

/** Defaults: 64 KiB encoded, 128 KiB of XML, 80-byte RelayState (the saml-bindings limit). */
export const defaultInboundLimits: Readonly<InboundLimits> = Object.freeze({
  maxEncodedBytes: 64 * 1024,
  maxXmlBytes: 128 * 1024,
  maxRelayStateBytes: 80,
});

/** Fills unset keys with the defaults. */
export function inboundLimits(overrides: Partial<InboundLimits> = {}): InboundLimits {
  return { ...defaultInboundLimits, ...overrides };
}
