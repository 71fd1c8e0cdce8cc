import { loadConfig } from '../../../idp/src/config/load.js';
import type { Command } from './command.js';
import { CONFIG_USAGE, LISTEN_OPTIONS, LISTEN_USAGE, parseConfigArgs } from './config-options.js';

/** `idp-harness config`: print the resolved configuration (defaults < file < env < options), what `up` with the same options runs. */
export const config: Command = {
  name: 'config',
  usage: `idp-harness config [options]\n\nPrints the configuration \`idp-harness up\` with the same options would run with.\n\n${CONFIG_USAGE}\n${LISTEN_USAGE}`,
  async run(argv) {
    const { file, overrides } = parseConfigArgs(argv, LISTEN_OPTIONS);
    process.stdout.write(JSON.stringify(loadConfig({ file, overrides }), null, 2) + '\n');
    return 0;
  },
};
