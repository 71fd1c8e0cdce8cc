import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import type { LabConfig } from '../../../idp/src/config/schema.js';
import { startLab } from '../../../idp/src/lab.js';
import type { Command } from './command.js';
import { CONFIG_USAGE, parseConfigArgs } from './config-options.js';

/** `idp-harness up`: start the lab, print its services, stop cleanly on SIGINT/SIGTERM. */
export const up: Command = {
  name: 'up',
  describe: 'start the lab (all services, or --only some) and print their URLs',
  usage: `idp-harness up [options]\n\n${CONFIG_USAGE}\n      --print-config    print the resolved configuration and exit`,
  async run(argv) {
    const { values, file, overrides } = parseConfigArgs(argv, { 'print-config': { type: 'boolean' } });
    const config = loadConfig({ file, overrides });
    if (values['print-config']) {
      process.stdout.write(JSON.stringify(config, null, 2) + '\n');
      return 0;
    }
    await ensureTlsNames(config);
    const lab = await startLab(config);
    const rows = Object.entries(lab.urls).map(([name, url]) => [name, url!]);
    if (lab.state.adfs) rows.push(['  metadata', lab.state.adfs.urls.metadata], ['  identifier', lab.state.adfs.identifier]);
    for (const rt of lab.state.oidc?.issuers.values() ?? []) rows.push([`  issuer ${rt.config.id}`, rt.issuer]);
    if (lab.state.cxone) {
      const c = lab.state.cxone.urls;
      rows.push(['  cxone sign-in', c.login], ['  cxone admin', c.admin], ['  cxone admin API', c.api], ['  cxone discovery', c.discovery]);
    }
    if (lab.urls.console) rows.push(['  sample SP', `${lab.urls.console}/sample-sp/`]);
    const width = Math.max(...rows.map((r) => r[0]!.length));
    process.stderr.write(
      `\nidp-harness is up (TEST ONLY — trust certs/ca.pem for TLS):\n` +
        rows.map(([n, u]) => `  ${n!.padEnd(width)}  ${u}`).join('\n') +
        `\n\nSample users: agent1 / Agent1Pass!, supervisor1 / Super1Pass! (fixtures/users.json).` +
        (lab.state.cxone
          ? `\nCXone: sam.system@lab.example / Lab-Entry-42 (System), agent1@lab.example (via AD FS); admin ${lab.config.cxone.admin.username} (fixtures/cxone/).` +
            (lab.config.stateDir ? `\nCXone state: ${resolveFromRoot(lab.config.stateDir)}/cxone.json` : '')
          : '') +
        ` Ctrl-C stops.\n\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await lab.stop();
    return 0;
  },
};

/**
 * The TLS certificate must name every host clients use: `tls.hostNames` and the hosts of the
 * configured public URLs. When there are any, the PKI is checked (and the TLS pair reissued if a
 * name is missing) before the lab starts; the generator is loaded only then, off the common path.
 */
async function ensureTlsNames(config: LabConfig): Promise<void> {
  const names = new Set(config.tls.hostNames);
  for (const svc of [config.adfs, config.oidc, config.ids, config.finesse, config.cxone, config.console]) {
    if (svc.enabled && svc.publicUrl) names.add(new URL(svc.publicUrl).hostname.replace(/^\[(.*)\]$/, '$1'));
  }
  if (names.size === 0) return;
  const { ensurePki } = await import('../../../idp/src/pki/generate.js');
  const result = await ensurePki(resolveFromRoot(config.certsDir), { hostNames: [...names] });
  if (result.created.length > 0) process.stderr.write(`idp-harness: TLS certificate reissued for ${[...names].join(', ')}\n`);
}
