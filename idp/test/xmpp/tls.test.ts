import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/**
 * The notification service over TLS, as Finesse serves it (`wss://<finesse>/ws`,
 * `https://<finesse>/http-bind`, reference A.2.6) with the lab's certificate. stanza takes no CA
 * (a browser does not either), so the desktop runs in a child Node process (tls-desktop.mjs) that
 * trusts the lab CA through NODE_EXTRA_CA_CERTS, exactly as a Node-based desktop would; without
 * it the same connection must fail on the certificate.
 */

const SCRIPT = fileURLToPath(new URL('./tls-desktop.mjs', import.meta.url));
let lab: Lab;
let dir: string;
let caFile: string;
beforeAll(async () => {
  lab = await startTestLab({ services: ['finesse'], tls: true });
  dir = mkdtempSync(join(tmpdir(), 'xmpp-tls-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, lab.state.pki.caPem);
});
afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  ok: boolean;
  jid?: string;
  pinged?: boolean;
  error?: string;
  code?: string;
}

function desktop(trustCa: boolean): Promise<Record<string, Result>> {
  const base = new URL(lab.urls.finesse!);
  const config = {
    websocket: `wss://${base.host}/ws`,
    bosh: `${base.origin}/http-bind`,
    domain: lab.state.finesse!.xmppDomain,
    local: '1003',
    password: 'NonSso1Pass!',
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['NODE_TLS_REJECT_UNAUTHORIZED'];
  if (trustCa) env['NODE_EXTRA_CA_CERTS'] = caFile;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, JSON.stringify(config)], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`test: the desktop process failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, Result>);
      } catch {
        reject(new Error(`test: the desktop printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

describe('TLS (the lab certificate, reference A.2.6 wss:// and https://)', () => {
  it('a desktop trusting the lab CA connects over wss and https, authenticates and pings', async () => {
    expect(lab.urls.finesse).toMatch(/^https:\/\//);
    const r = await desktop(true);
    const domain = lab.state.finesse!.xmppDomain;
    expect(r['websocket']).toEqual({ ok: true, jid: `1003@${domain}/tls-websocket`, pinged: true });
    expect(r['bosh']).toEqual({ ok: true, jid: `1003@${domain}/tls-bosh`, pinged: true });
  });

  it('without the CA the same desktop fails on the certificate, over both transports', async () => {
    const r = await desktop(false);
    const untrusted = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|DEPTH_ZERO_SELF_SIGNED_CERT/;
    for (const t of ['websocket', 'bosh']) {
      expect(r[t]?.ok, `${t}: ${JSON.stringify(r[t])}`).toBe(false);
      expect(`${r[t]?.code} ${r[t]?.error}`, t).toMatch(untrusted);
    }
  });
});
