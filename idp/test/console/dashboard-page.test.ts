import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { assetsDir } from '../../src/shared/paths.js';

/**
 * The console page as served (the browser side is idp/test/browser/console-dashboard.test.ts):
 * a frame without lab state (under docker compose the state lives in other containers; the
 * page's scripts read the control API), a Content-Security-Policy that allows only this origin's
 * scripts, its assets, and the CXone summary it reads.
 */

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'cxone', 'console'] });
});
afterAll(async () => {
  await lab?.stop();
});

const get = (path: string) => fetch(`${lab.urls.console}${path}`);

describe('the console page', () => {
  it('is a frame with no lab state in it, under a same-origin-only script policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/assets/console/main.js"></script>');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script at all
    // State belongs to the control API: no user, no service URL, no relying party in the page.
    for (const value of ['agent1', lab.urls.adfs!, lab.urls.cxone!, 'idp-harness sample SP', 'Lab AD FS', 'alice']) expect(html).not.toContain(value);
    // Code, not state: the fault kinds for the fault form.
    expect(html).toContain('tampered');
  });

  it('serves every script module the page imports, as JavaScript', async () => {
    const files = readdirSync(join(assetsDir, 'console')).filter((f) => f.endsWith('.js'));
    expect(files).toContain('main.js');
    for (const file of files) {
      const res = await get(`/assets/console/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      for (const [, imported] of readFileSync(join(assetsDir, 'console', file), 'utf8').matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        expect(files, `${file} imports ${imported}`).toContain(imported);
      }
    }
    expect((await get('/assets/console/dashboard.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers 404 for what is not there, outside the asset folder included', async () => {
    for (const path of ['/assets/console/nope.js', '/assets/console/..%2f..%2fsrc%2flab.ts', '/assets/console/%2e%2e/xsd/xmldsig-core-schema.xsd', '/nothing-here']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
    expect((await get('/nothing-here')).headers.get('x-idp-harness-error')).toBe('ERR_HTTP_NOT_FOUND');
  });
});

describe('GET /api/cxone', () => {
  it('summarizes the tenant and its login authenticators with the values an IdP admin registers', async () => {
    const res = await get('/api/cxone');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
    expect(body.tenant).toMatchObject({ name: 'idp-harness lab', clusterId: 'C32' });
    expect(body.urls.admin).toBe(`${lab.urls.cxone}/admin`);
    expect(body.users).toBeGreaterThan(0);
    const adfs = body.authenticators.find((a: { name: string }) => a.name === 'Lab AD FS');
    expect(adfs).toMatchObject({
      type: 'SAML',
      active: true,
      entityId: `${lab.urls.cxone}/5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51`,
      acsUrl: `${lab.urls.cxone}/auth/authorize?tenantId=5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51`,
    });
    expect(JSON.stringify(body)).not.toMatch(/clientSecret|client_secret"|BEGIN CERTIFICATE|privateJwk|password/i);
  });

  it('is 404 ERR_CONTROL_NOT_FOUND when CXone does not run', async () => {
    const other = await startTestLab({ services: ['console'] });
    try {
      const res = await fetch(`${other.urls.console}/api/cxone`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_CONTROL_NOT_FOUND');
    } finally {
      await other.stop();
    }
  });
});
