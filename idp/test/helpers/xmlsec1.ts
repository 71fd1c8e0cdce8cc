import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Elements whose `ID` attribute is an XML ID; without them xmlsec1 cannot resolve `#_…` refs. */
export const SAML_ID_ATTRS = [
  'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
  'urn:oasis:names:tc:SAML:2.0:protocol:Response',
];

/** XPath of the assertion signature (xmlsec1 otherwise verifies the first Signature it meets). */
export const ASSERTION_SIGNATURE_XPATH = "//*[local-name()='Assertion']/*[local-name()='Signature']";
/** XPath of the message (root element) signature. */
export const MESSAGE_SIGNATURE_XPATH = "/*/*[local-name()='Signature']";

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'xmlsec1-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `xmlsec1 --verify` with the certificate pinned (`--pubkey-cert-pem`: the embedded KeyInfo cert
 * is not trusted). The exit code is the verdict (stack-notes §2).
 */
export function xmlsec1Verify(
  xml: string,
  certPem: string,
  opts: { nodeXpath?: string; idAttrs?: string[] } = {},
): { ok: boolean; output: string } {
  return withTempDir((dir) => {
    const certFile = join(dir, 'cert.pem');
    const xmlFile = join(dir, 'doc.xml');
    writeFileSync(certFile, certPem);
    writeFileSync(xmlFile, xml);
    const args = ['--verify', '--pubkey-cert-pem', certFile];
    for (const a of opts.idAttrs ?? SAML_ID_ATTRS) args.push('--id-attr:ID', a);
    if (opts.nodeXpath !== undefined) args.push('--node-xpath', opts.nodeXpath);
    args.push(xmlFile);
    const r = spawnSync('xmlsec1', args, { encoding: 'utf8' });
    if (r.error) throw r.error;
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  });
}

/** `xmlsec1 --decrypt`: the decrypted document (or raw plaintext when EncryptedData has no Type). */
export function xmlsec1Decrypt(xml: string, keyPem: string): string {
  return withTempDir((dir) => {
    const keyFile = join(dir, 'key.pem');
    const xmlFile = join(dir, 'doc.xml');
    writeFileSync(keyFile, keyPem);
    writeFileSync(xmlFile, xml);
    const r = spawnSync('xmlsec1', ['--decrypt', '--privkey-pem', keyFile, xmlFile], { encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`xmlsec1 --decrypt failed (exit ${r.status}): ${r.stderr}`);
    return r.stdout;
  });
}
