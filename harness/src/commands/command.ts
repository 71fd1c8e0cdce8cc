/** One CLI subcommand: its name, a one-line description, its help text and what it runs. */
export interface Command {
  name: string;
  describe: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
