import type { X509Certificate } from 'node:crypto';

/**
 * X.509 names rendered the way .NET's `X500DistinguishedName.Name` (and so AD FS) renders them,
 * e.g. `<ds:X509IssuerName>L=RTP, S=NC, CN=…, OU=TAC, O=Cisco, C=US</ds:X509IssuerName>` in an
 * encrypted assertion (reference adfs-saml-and-mock-idps.md §1.5). The rules, from .NET's
 * X500NameEncoder (default flags, i.e. what Windows' CertNameToStr does):
 *
 * - RDNs in reverse certificate order (most specific first), separated by `, `;
 *   attributes of a multi-valued RDN joined by ` + `;
 * - Windows' short names (`S` for stateOrProvinceName, `E` for emailAddress, `SERIALNUMBER`, …),
 *   `OID.<dotted>` for anything else;
 * - a value is wrapped in double quotes (inner `"` doubled) when it is empty, starts or ends with
 *   whitespace, or contains one of `,+="\n<>#;`; there is no backslash escaping;
 * - string types are decoded (trailing NULs dropped); anything else is `#` + upper-case hex of its
 *   DER encoding (an OCTET STRING: of its contents), never quoted.
 *
 * Pure, dependency-free (start-up reads every certificate's issuer through this).
 */

export interface DnAttribute {
  /** Dotted attribute type OID, e.g. `2.5.4.3`. */
  oid: string;
  /** Decoded text, or `#HEX` when `binary`. */
  value: string;
  binary?: boolean;
}

/** One RelativeDistinguishedName: usually a single attribute. */
export type Rdn = DnAttribute[];

/** Windows' names for DN attribute types (.NET OidLookup, "X-Plat: the names come from Windows"). */
const DOTNET_KEYS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'S',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.13': 'Description',
  '2.5.4.17': 'PostalCode',
  '2.5.4.18': 'POBox',
  '2.5.4.20': 'Phone',
  '2.5.4.24': 'X21Address',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.46': 'dnQualifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

/** Common short names accepted by {@link dn} for building names in code and tests. */
const INPUT_KEYS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(DOTNET_KEYS).map(([oid, key]) => [key.toUpperCase(), oid])),
  ST: '2.5.4.8',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
};

const NEEDS_QUOTING = /[,+="\n<>#;]/;
const QUOTABLE_WHITESPACE = /^[ \t\n\v\f\r]|[ \t\n\v\f\r]$/;

/** The .NET rendering of a name given as RDNs in certificate (DER) order. */
export function formatDotnetDn(rdns: readonly Rdn[]): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map((attr) => `${dotnetKey(attr.oid)}=${quoteValue(attr)}`).join(' + '))
    .join(', ');
}

/** The .NET rendering of a DER-encoded X.501 Name. */
export function dotnetDistinguishedName(nameDer: Uint8Array): string {
  return formatDotnetDn(parseName(nameDer));
}

/** `X509IssuerName` as AD FS writes it: the certificate's issuer, .NET style. */
export function dotnetIssuerName(cert: X509Certificate | Uint8Array): string {
  return dotnetDistinguishedName(certificateNames(rawOf(cert)).issuer);
}

export function dotnetSubjectName(cert: X509Certificate | Uint8Array): string {
  return dotnetDistinguishedName(certificateNames(rawOf(cert)).subject);
}

/**
 * Builds RDNs (certificate order) from short names, e.g. `dn(['C', 'US'], ['O', 'Cisco'])`;
 * `OID.1.2.3` or a bare dotted OID is accepted as the type. For tests and fixtures.
 */
export function dn(...pairs: ReadonlyArray<readonly [type: string, value: string]>): Rdn[] {
  return pairs.map(([type, value]) => [{ oid: oidOf(type), value }]);
}

function oidOf(type: string): string {
  const key = type.toUpperCase();
  if (key.startsWith('OID.')) return type.slice(4);
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const oid = INPUT_KEYS[key];
  if (!oid) throw new Error(`unknown distinguished-name attribute type "${type}"`);
  return oid;
}

function dotnetKey(oid: string): string {
  return DOTNET_KEYS[oid] ?? `OID.${oid}`;
}

function quoteValue(attr: DnAttribute): string {
  const v = attr.value;
  if (attr.binary) return v;
  if (v === '' || QUOTABLE_WHITESPACE.test(v) || NEEDS_QUOTING.test(v)) return `"${v.replaceAll('"', '""')}"`;
  return v;
}

// --- a minimal DER reader: just enough for Certificate → TBSCertificate → Name -------------------

interface Tlv {
  /** First identifier octet (class, constructed bit, low tag number). */
  tag: number;
  /** Offsets into the buffer: the whole element, and its contents. */
  start: number;
  contentStart: number;
  end: number;
}

function malformed(what: string): Error {
  return new Error(`malformed DER: ${what}`);
}

function readTlv(buf: Uint8Array, pos: number, limit: number = buf.length): Tlv {
  const start = pos;
  if (pos >= limit) throw malformed('unexpected end of data');
  const tag = buf[pos++]!;
  if ((tag & 0x1f) === 0x1f) {
    // high tag number form: skip the base-128 tag number octets
    while (pos < limit && buf[pos]! & 0x80) pos++;
    pos++;
  }
  if (pos >= limit) throw malformed('missing length');
  let len = buf[pos++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw malformed('indefinite length');
    if (n > 4) throw malformed('length too large');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= limit) throw malformed('truncated length');
      len = len * 256 + buf[pos++]!;
    }
  }
  const end = pos + len;
  if (end > limit) throw malformed('element overruns its container');
  return { tag, start, contentStart: pos, end };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw malformed(`expected ${what}`);
  return t;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;

/** The DER encodings of a certificate's issuer and subject Names. */
export function certificateNames(certDer: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } {
  const cert = expectTag(readTlv(certDer, 0), SEQUENCE, 'Certificate');
  const tbs = expectTag(children(certDer, cert)[0], SEQUENCE, 'TBSCertificate');
  const fields = children(certDer, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version, absent in v1
  i += 2; // serialNumber, signature AlgorithmIdentifier
  const issuer = expectTag(fields[i], SEQUENCE, 'issuer Name');
  const subject = expectTag(fields[i + 2], SEQUENCE, 'subject Name');
  return {
    issuer: certDer.subarray(issuer.start, issuer.end),
    subject: certDer.subarray(subject.start, subject.end),
  };
}

/** A DER Name as RDNs in certificate order. */
export function parseName(nameDer: Uint8Array): Rdn[] {
  const name = expectTag(readTlv(nameDer, 0), SEQUENCE, 'Name');
  if (name.end !== nameDer.length) throw malformed('trailing data after Name');
  return children(nameDer, name).map((set) => {
    expectTag(set, SET, 'RelativeDistinguishedName');
    return children(nameDer, set).map((atv) => {
      const [type, value, extra] = children(nameDer, expectTag(atv, SEQUENCE, 'AttributeTypeAndValue'));
      if (!value || extra) throw malformed('AttributeTypeAndValue must hold a type and a value');
      const oidTlv = expectTag(type, OID, 'attribute type OID');
      return { oid: decodeOid(nameDer.subarray(oidTlv.contentStart, oidTlv.end)), ...decodeValue(nameDer, value) };
    });
  });
}

function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw malformed('empty OID');
  const arcs: bigint[] = [];
  let acc = 0n;
  for (const b of bytes) {
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  if (bytes[bytes.length - 1]! & 0x80) throw malformed('truncated OID');
  const first = arcs.shift()!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

const utf8 = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function decodeValue(buf: Uint8Array, v: Tlv): { value: string; binary?: boolean } {
  const content = buf.subarray(v.contentStart, v.end);
  let text: string;
  switch (v.tag) {
    case 0x0c: // UTF8String
      text = utf8.decode(content);
      break;
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
      text = latin1.decode(content);
      break;
    case 0x14: // T61String: in practice UTF-8 or Latin-1
      try {
        text = utf8Strict.decode(content);
      } catch {
        text = latin1.decode(content);
      }
      break;
    case 0x1e: // BMPString: UTF-16BE (no TextDecoder: 'utf-16be' needs full ICU)
      text = Buffer.from(content.subarray(0, content.length & ~1)).swap16().toString('utf16le');
      break;
    case 0x04: // OCTET STRING: Windows shows the contents
      return { value: `#${hex(content)}`, binary: true };
    default:
      return { value: `#${hex(buf.subarray(v.start, v.end))}`, binary: true };
  }
  return { value: text.replace(/\0+$/, '') };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

function rawOf(cert: X509Certificate | Uint8Array): Uint8Array {
  return cert instanceof Uint8Array ? cert : cert.raw;
}
