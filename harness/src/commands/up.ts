import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import type { LabConfig } from '../../../idp/src/config/schema.js';
import { startLab, type Lab } from '../../../idp/src/lab.js';
import type { Command } from './command.js';
import { CONFIG_USAGE, LISTEN_OPTIONS, LISTEN_USAGE, parseConfigArgs } from './config-options.js';
import { configuredTlsNames } from './tls-names.js';

const USAGE = `idp-harness up [options]

Starts the lab (every service, or --only some) in the foreground and prints the service table.
SIGINT (Ctrl-C) or SIGTERM stops it cleanly; a second Ctrl-C while it stops ends it at once.

${CONFIG_USAGE}
${LISTEN_USAGE}
      --print-config          print the resolved configuration and exit

examples:
  idp-harness up --only adfs,console --plain-http
  idp-harness up --host 0.0.0.0 --public-url adfs=https://adfs.lab.test:9443 --port console=9100`;

/** `idp-harness up`: start the lab, print its services, stop cleanly on SIGINT/SIGTERM. */
export const up: Command = {
  name: 'up',
  usage: USAGE,
  async run(argv) {
    const { values, file, overrides } = parseConfigArgs(argv, { ...LISTEN_OPTIONS, 'print-config': { type: 'boolean' } });
    const config = loadConfig({ file, overrides });
    if (values['print-config']) {
      process.stdout.write(JSON.stringify(config, null, 2) + '\n');
      return 0;
    }
    await ensureTlsNames(config);
    const lab = await startLab(config);
    process.stderr.write(serviceTable(lab));
    const signal = await stopSignal();
    process.stderr.write(`idp-harness: ${signal}, stopping…\n`);
    await lab.stop();
    process.stderr.write('idp-harness: stopped.\n');
    return 0;
  },
};

/**
 * Resolves on the first SIGINT or SIGTERM. Both listeners are removed then, so a second Ctrl-C
 * during a slow stop gets Node's default (the process ends) instead of being swallowed.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function serviceTable(lab: Lab): string {
  const rows = Object.entries(lab.urls).map(([name, url]) => [name, url!]);
  if (lab.state.adfs) rows.push(['  metadata', lab.state.adfs.urls.metadata], ['  identifier', lab.state.adfs.identifier]);
  for (const rt of lab.state.oidc?.issuers.values() ?? []) rows.push([`  issuer ${rt.config.id}`, rt.issuer]);
  if (lab.state.cxone) {
    const c = lab.state.cxone.urls;
    rows.push(['  cxone sign-in', c.login], ['  cxone admin', c.admin], ['  cxone admin API', c.api], ['  cxone discovery', c.discovery]);
  }
  if (lab.urls.console) rows.push(['  sample SP', `${lab.urls.console}/sample-sp/`]);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  const binds = [...new Set(Object.keys(lab.urls).map((n) => lab.config[n as keyof typeof lab.urls].host))];
  return (
    `\nidp-harness is up (TEST ONLY — trust certs/ca.pem for TLS):\n` +
    rows.map(([n, u]) => `  ${n!.padEnd(width)}  ${u}`).join('\n') +
    `\n\nListening on ${binds.join(', ')}.` +
    `\nSample users: agent1 / Agent1Pass!, supervisor1 / Super1Pass! (fixtures/users.json).` +
    (lab.state.cxone
      ? `\nCXone: sam.system@lab.example / Lab-Entry-42 (System), agent1@lab.example (via AD FS); admin ${lab.config.cxone.admin.username} (fixtures/cxone/).` +
        (lab.config.stateDir ? `\nCXone state: ${resolveFromRoot(lab.config.stateDir)}/cxone.json` : '')
      : '') +
    ` Ctrl-C stops.\n\n`
  );
}

/**
 * The TLS certificate must name every host clients use: `tls.hostNames` and the hosts of the
 * configured public URLs. When there are any, the PKI is checked (and the TLS pair reissued if a
 * name is missing) before the lab starts; the generator is loaded only then, off the common path.
 */
async function ensureTlsNames(config: LabConfig): Promise<void> {
  const names = configuredTlsNames(config);
  // Over plain HTTP nothing presents the certificate: leave the PKI as it is.
  if (names.length === 0 || !(config.tls.enabled || (config.console.enabled && config.console.tls))) return;
  const { ensurePki } = await import('../../../idp/src/pki/generate.js');
  const result = await ensurePki(resolveFromRoot(config.certsDir), { hostNames: names });
  if (result.created.length > 0) process.stderr.write(`idp-harness: TLS certificate reissued for ${names.join(', ')}\n`);
}
