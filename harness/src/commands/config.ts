import { loadConfig } from '../../../idp/src/config/load.js';
import type { Command } from './command.js';
import { CONFIG_USAGE, parseConfigArgs } from './config-options.js';

/** `idp-harness config`: print the resolved configuration (defaults < file < env < options). */
export const config: Command = {
  name: 'config',
  describe: 'print the resolved configuration',
  usage: `idp-harness config [options]\n\n${CONFIG_USAGE}`,
  async run(argv) {
    const { file, overrides } = parseConfigArgs(argv);
    process.stdout.write(JSON.stringify(loadConfig({ file, overrides }), null, 2) + '\n');
    return 0;
  },
};
