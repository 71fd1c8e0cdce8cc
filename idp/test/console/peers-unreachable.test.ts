import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { jsonErrorHandler } from '../../src/console/control-api.js';
import { controlPeers } from '../../src/console/control-peers.js';
import type { Lab } from '../../src/lab.js';
import { api, freeUrl, silentPeer } from '../helpers/peer-labs.js';

/**
 * Peers that do not answer: a closed port, a peer that accepts and stays silent, something that is
 * not a lab console. The central console answers 502 ERR_CONTROL_PEER_UNREACHABLE naming the peer,
 * never hangs and never answers 500; a peer that comes up later is learnt then.
 */
let adfsLab: Lab;
beforeAll(async () => {
  adfsLab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => adfsLab?.stop());

function expectUnreachable(r: { status: number; body: any }, peer: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(r.status).toBe(502);
  expect(r.body.error.code).toBe('ERR_CONTROL_PEER_UNREACHABLE');
  expect(r.body.error.details.peer).toBe(peer);
}

describe('central console with a peer that is down', () => {
  let hub: Lab;
  let dead: string;
  beforeAll(async () => {
    dead = await freeUrl();
    hub = await startTestLab({ services: ['console'], config: { console: { peers: [adfsLab.urls.console!, dead] } } });
  });
  afterAll(() => hub?.stop());

  it('answers 502 for merged reads and broadcasts', async () => {
    expectUnreachable(await api(hub.urls.console!, 'GET', '/services'), dead);
    expectUnreachable(await api(hub.urls.console!, 'GET', '/config'), dead);
    expectUnreachable(await api(hub.urls.console!, 'POST', '/reset'), dead);
    expectUnreachable(await api(hub.urls.console!, 'POST', '/clock', { advanceMs: 1000 }), dead);
    expectUnreachable(await api(hub.urls.console!, 'GET', '/faults'), dead);
    // The call is not applied here when a peer could not take it.
    expect(hub.state.clock.state().offsetMs).toBe(0);
  });

  it('still routes to a live peer that runs the service; what the dead one may run is 502', async () => {
    const queued = await api(hub.urls.console!, 'POST', '/faults', { surface: 'adfs', kind: 'unsigned' });
    expect(queued.status).toBe(201);
    expect(adfsLab.state.faults.list()).toEqual([{ surface: 'adfs', kind: 'unsigned' }]);
    adfsLab.state.faults.clear();
    expectUnreachable(await api(hub.urls.console!, 'POST', '/faults', { surface: 'oidc', kind: 'invalid-grant' }), dead);
    expectUnreachable(await api(hub.urls.console!, 'GET', '/oidc/clients'), dead);
  });

  it('learns a peer that comes up later', async () => {
    const port = Number(new URL(dead).port);
    const late = await startTestLab({ services: ['oidc', 'console'], config: { console: { port } } });
    try {
      const r = await api(hub.urls.console!, 'GET', '/services');
      expect(r.status).toBe(200);
      expect(r.body.services.map((s: { name: string }) => s.name)).toEqual(['adfs', 'oidc', 'console']);
      expect((await api(hub.urls.console!, 'POST', '/faults', { surface: 'oidc', kind: 'invalid-grant' })).status).toBe(201);
      expect(late.state.faults.list()).toHaveLength(1);
    } finally {
      await late.stop();
    }
  });
});

describe('central console with a peer that never answers or is not a console', () => {
  it('gives up on a silent peer after its timeout', async () => {
    const silent = await silentPeer();
    // A router of its own with a short timeout, so the test does not wait the default 5 s.
    const app = express();
    app.use('/api', express.Router().use(express.json()).use(controlPeers(adfsLab.state, { peers: [silent.url], timeoutMs: 200 })).use(jsonErrorHandler(adfsLab.state)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expectUnreachable(await api(url, 'GET', '/services'), silent.url);
      expectUnreachable(await api(url, 'POST', '/reset'), silent.url);
    } finally {
      server.closeAllConnections();
      server.close();
      await silent.close();
    }
  });

  it('refuses a peer whose /api/services is not a lab console’s', async () => {
    const app = express();
    app.get('/api/services', (_req, res) => {
      res.status(200).type('html').send('<html>hello</html>');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hub = await startTestLab({ services: ['console'], config: { console: { peers: [peer] } } });
    try {
      expectUnreachable(await api(hub.urls.console!, 'GET', '/services'), peer);
      expectUnreachable(await api(hub.urls.console!, 'GET', '/relying-parties'), peer);
    } finally {
      await hub.stop();
      server.close();
    }
  });
});
