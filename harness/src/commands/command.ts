/** One CLI subcommand: its name, its help text and what it runs. */
export interface Command {
  name: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/**
 * A command as the CLI lists it: loaded only when it runs, so that `up` does not pay for the
 * scenario catalog, the validator or openid-client at start-up (and `certs` not for the lab).
 */
export interface CommandEntry {
  name: string;
  /** One line for `idp-harness --help`. */
  describe: string;
  load(): Promise<Command>;
}
