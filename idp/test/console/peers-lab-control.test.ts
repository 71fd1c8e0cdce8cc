import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLabControl, type LabControl } from '../../../harness/src/control/lab-control.js';
import { startPeerLabs, type PeerLabs } from '../helpers/peer-labs.js';

/**
 * What the scenario runner needs from a lab, through the central console of the docker compose
 * layout: the typed control client sees every peer's services and its calls land where they
 * should (harness/test/compose-topology.test.ts runs every scenario through it).
 */
let labs: PeerLabs;
let control: LabControl;
beforeAll(async () => {
  labs = await startPeerLabs();
  control = httpLabControl(labs.hub.urls.console!);
});
afterAll(() => labs?.stop());

describe('httpLabControl against the central console', () => {
  it('sees every service and the configuration that runs them', async () => {
    expect(await control.services()).toEqual({ adfs: labs.adfsLab.urls.adfs, oidc: labs.oidcLab.urls.oidc, console: labs.hub.urls.console });
    const config = await control.config();
    expect([config.adfs.enabled, config.oidc.enabled, config.cxone.enabled]).toEqual([true, true, false]);
  });

  it('reaches the lab each call belongs to', async () => {
    await control.reset();
    await control.relyingParties.add({ name: 'Via hub', identifiers: ['urn:via:hub'], endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://hub.test/acs' }] });
    expect(labs.adfsLab.state.relyingParties.list().map((rp) => rp.name)).toContain('Via hub');
    expect((await control.oidcClients.list()).map((c) => c.client_id)).toEqual(labs.oidcLab.state.oidcClients.list().map((c) => c.client_id));
    await control.faults.add({ surface: 'oidc', kind: 'server-error' });
    expect(labs.oidcLab.state.faults.list()).toEqual([{ surface: 'oidc', kind: 'server-error' }]);
    expect(await control.faults.list()).toEqual([{ surface: 'oidc', kind: 'server-error' }]);
    await control.clock.advance(90_000);
    expect(labs.adfsLab.state.clock.state().offsetMs).toBe(90_000);
    await control.reset();
    expect(labs.oidcLab.state.faults.list()).toEqual([]);
    expect(labs.adfsLab.state.relyingParties.list().map((rp) => rp.name)).not.toContain('Via hub');
  });
});
