/**
 * XML-DSig algorithm URIs built on SHA-1 (signature and digest methods): collisions are practical
 * (SHAttered, 2017), so NIST SP 800-131A disallows SHA-1 for signatures and FICAM requires SHA-256
 * or better. One list for every rule that judges a metadata signature.
 */
export const SHA1_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#sha1',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
]);
