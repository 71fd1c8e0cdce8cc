import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/** The sample SP answers with its own pages, never a stack trace or a bare 500. */
let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['console'] });
});
afterAll(() => lab.stop());

describe('the sample SP', () => {
  it('says AD FS is not running (503) when the lab runs without it', async () => {
    const res = await fetch(`${lab.urls.console}/sample-sp/login`, { redirect: 'manual' });
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(body).toContain('id="adfsMissing"');
    expect(body).not.toMatch(/at \S+ \(|TypeError/);
  });

  it('answers an oversized POST with its own 413 page', async () => {
    const res = await fetch(`${lab.urls.console}/sample-sp/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=' + 'A'.repeat(600 * 1024),
    });
    expect(res.status).toBe(413);
    const body = await res.text();
    expect(body).toContain('id="sampleSpError"');
    expect(body).not.toMatch(/at \S+ \(|PayloadTooLargeError/);
  });
});
