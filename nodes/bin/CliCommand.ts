/** Where a CLI command writes; injected so commands are testable without a terminal. */
export interface CliIo {
  /** Writes a chunk to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes a chunk to standard error. */
  readonly stderr: (text: string) => void;
}

/** One `custos <name>` sub-command. */
export interface CliCommand {
  /** The word after `custos`. */
  readonly name: string;
  /** One line for `custos --help`. */
  readonly summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}
