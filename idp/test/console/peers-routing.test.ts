import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, startPeerLabs, type PeerLabs } from '../helpers/peer-labs.js';

/**
 * The central console of the docker compose layout (`console.peers`), against two real labs that
 * share nothing: every routing rule of control-peers.ts, proven by the state of the lab that should
 * (and the lab that should not) have received the call.
 */
let labs: PeerLabs;
let hub: string;
beforeAll(async () => {
  labs = await startPeerLabs();
  hub = labs.hub.urls.console!;
});
afterAll(() => labs?.stop());
beforeEach(async () => {
  expect((await api(hub, 'POST', '/reset')).status).toBe(200);
});

const runtimeRp = {
  name: 'Peer SP',
  identifiers: ['urn:peer:sp'],
  endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://sp.peer.test/acs' }],
};
const newUser = {
  username: 'peer.user',
  password: 'PeerUser1!',
  upn: 'peer.user@lab.example',
  email: 'peer.user@lab.example',
  givenName: 'Peer',
  surname: 'User',
};

describe('central console: merged reads', () => {
  it('lists every peer’s services, with the peers’ URLs, and its own console', async () => {
    const r = await api(hub, 'GET', '/services');
    expect(r.status).toBe(200);
    expect(r.body.services).toEqual([
      { name: 'adfs', url: labs.adfsLab.urls.adfs },
      { name: 'oidc', url: labs.oidcLab.urls.oidc },
      { name: 'console', url: labs.hub.urls.console },
    ]);
  });

  it('gives its own configuration with the services the peers run enabled', async () => {
    const r = await api(hub, 'GET', '/config');
    expect(r.status).toBe(200);
    expect(r.body.adfs).toMatchObject({ enabled: true, publicUrl: labs.adfsLab.urls.adfs });
    expect(r.body.oidc).toMatchObject({ enabled: true, publicUrl: labs.oidcLab.urls.oidc });
    expect(r.body.ids.enabled).toBe(false);
    expect(r.body.console.peers).toEqual([labs.adfsConsole, labs.oidcConsole]);
    // its own configuration is untouched (frozen), only the answer is merged
    expect(labs.hub.config.adfs.enabled).toBe(false);
  });
});

describe('central console: broadcasts', () => {
  it('moves the clock of every peer and its own', async () => {
    const r = await api(hub, 'POST', '/clock', { advanceMs: 3_600_000 });
    expect(r.status).toBe(200);
    for (const lab of [labs.adfsLab, labs.oidcLab, labs.hub]) expect(lab.state.clock.state().offsetMs).toBe(3_600_000);
  });

  it('resets every peer and itself', async () => {
    labs.adfsLab.state.clock.advance(60_000);
    labs.oidcLab.state.clock.advance(60_000);
    labs.adfsLab.state.faults.enqueue({ surface: 'adfs', kind: 'unsigned' });
    expect((await api(hub, 'POST', '/reset')).body).toEqual({ reset: true });
    expect(labs.adfsLab.state.clock.state().offsetMs).toBe(0);
    expect(labs.oidcLab.state.clock.state().offsetMs).toBe(0);
    expect(labs.adfsLab.state.faults.list()).toEqual([]);
  });

  it('writes a user to every peer and itself; reads come from the first peer', async () => {
    const added = await api(hub, 'POST', '/users', newUser);
    expect(added.status).toBe(201);
    for (const lab of [labs.adfsLab, labs.oidcLab, labs.hub]) expect(lab.state.users.list().map((u) => u.username)).toContain('peer.user');
    const patched = await api(hub, 'PATCH', '/users/peer.user', { givenName: 'Patched' });
    expect(patched.status).toBe(200);
    expect(labs.oidcLab.state.users.list().find((u) => u.username === 'peer.user')?.givenName).toBe('Patched');

    // Only the first peer has this one: the hub reads from there.
    labs.adfsLab.state.users.add({ ...newUser, username: 'only.first', upn: 'only.first@lab.example', email: 'only.first@lab.example' });
    expect((await api(hub, 'GET', '/users/only.first')).body.username).toBe('only.first');
    expect((await api(hub, 'GET', '/users')).body.map((u: { username: string }) => u.username)).toContain('only.first');

    expect((await api(hub, 'DELETE', '/users/peer.user')).status).toBe(200);
    for (const lab of [labs.adfsLab, labs.oidcLab, labs.hub]) expect(lab.state.users.list().map((u) => u.username)).not.toContain('peer.user');
  });

  it('passes a peer’s refusal on as it gave it, and applies nothing', async () => {
    const r = await api(hub, 'POST', '/users', { ...newUser, email: 'not-an-email' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
    expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['email']);
    for (const lab of [labs.adfsLab, labs.oidcLab, labs.hub]) expect(lab.state.users.list().map((u) => u.username)).not.toContain('peer.user');
  });
});

describe('central console: faults', () => {
  it('queues a fault at the peer running its surface only, lists every queue and clears them all', async () => {
    expect((await api(hub, 'POST', '/faults', { surface: 'adfs', kind: 'wrong-audience' })).status).toBe(201);
    expect(labs.adfsLab.state.faults.list()).toEqual([{ surface: 'adfs', kind: 'wrong-audience' }]);
    expect(labs.oidcLab.state.faults.list()).toEqual([]);

    expect((await api(hub, 'POST', '/faults', { surface: 'oidc', kind: 'invalid-grant' })).status).toBe(201);
    expect(labs.oidcLab.state.faults.list()).toEqual([{ surface: 'oidc', kind: 'invalid-grant' }]);
    expect(labs.adfsLab.state.faults.list()).toHaveLength(1);
    expect(labs.hub.state.faults.list()).toEqual([]);

    expect((await api(hub, 'GET', '/faults')).body).toEqual([
      { surface: 'adfs', kind: 'wrong-audience' },
      { surface: 'oidc', kind: 'invalid-grant' },
    ]);
    expect((await api(hub, 'DELETE', '/faults')).status).toBe(200);
    expect(labs.adfsLab.state.faults.list()).toEqual([]);
    expect(labs.oidcLab.state.faults.list()).toEqual([]);
  });

  it('answers an invalid fault with the peer’s error code', async () => {
    const r = await api(hub, 'POST', '/faults', { surface: 'adfs', kind: 'no-such-kind' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
    expect(labs.adfsLab.state.faults.list()).toEqual([]);
  });
});

describe('central console: per-service routes', () => {
  it('writes relying parties at the adfs peer', async () => {
    const added = await api(hub, 'POST', '/relying-parties', runtimeRp);
    expect(added.status).toBe(201);
    expect(labs.adfsLab.state.relyingParties.list().map((rp) => rp.name)).toContain('Peer SP');
    expect(labs.oidcLab.state.relyingParties.list().map((rp) => rp.name)).not.toContain('Peer SP');
    expect(labs.hub.state.relyingParties.list().map((rp) => rp.name)).not.toContain('Peer SP');
    expect((await api(hub, 'GET', `/relying-parties/${encodeURIComponent('Peer SP')}`)).body.identifiers).toEqual(['urn:peer:sp']);
    const dup = await api(hub, 'POST', '/relying-parties', runtimeRp);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ERR_CONTROL_CONFLICT');
  });

  it('sends /oidc/* to the oidc peer', async () => {
    const client = {
      client_id: 'peer-app',
      client_secret: 'peer-app-secret-0123456789',
      redirect_uris: ['http://localhost:8080/peer/callback'],
      grant_types: ['authorization_code'],
    };
    expect((await api(hub, 'POST', '/oidc/clients', client)).status).toBe(201);
    expect(labs.oidcLab.state.oidcClients.list().map((c) => c.client_id)).toContain('peer-app');
    expect(labs.adfsLab.state.oidcClients.list().map((c) => c.client_id)).not.toContain('peer-app');
    const issuers = await api(hub, 'GET', '/oidc/issuers');
    expect(issuers.status).toBe(200);
    expect(JSON.stringify(issuers.body)).toContain(labs.oidcLab.urls.oidc);
  });

  it('serves the sample SP from the adfs peer’s console, its session cookie and redirects passed through', async () => {
    const page = await fetch(`${hub}/sample-sp/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="loginRedirect"'); // only shown where AD FS runs in-process
    const login = await fetch(`${hub}/sample-sp/login?binding=redirect`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(new RegExp(`^${labs.adfsLab.urls.adfs}/adfs/ls/\\?SAMLRequest=`));
  });

  it('leaves what no peer runs to its own process (no ids here: the same answer as a lab without ids)', async () => {
    const viaHub = await api(hub, 'GET', '/ids/settings');
    const direct = await api(labs.adfsConsole, 'GET', '/ids/settings');
    expect(viaHub.status).toBe(direct.status);
    expect(viaHub.body.error?.code).toBe(direct.body.error?.code);
    const unknown = await api(hub, 'GET', '/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ERR_HTTP_NOT_FOUND');
  });
});
