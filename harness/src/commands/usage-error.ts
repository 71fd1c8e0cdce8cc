/**
 * A command line the command cannot run: a bad or missing option, an unknown name. The CLI prints
 * it as one line pointing at `--help` and exits 2, like the argument parser's own errors, so that
 * scripts tell "you called me wrong" (2) from "the lab said no" (1).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
