/** One config field set from outside the file, e.g. by a command-line flag. */
export interface ConfigOverride {
  /** Dotted field path, e.g. `rpc.port`. */
  readonly path: string;
  /** The value, typed by the field's kind (validated with the rest of the config). */
  readonly value: unknown;
  /** Where it came from, e.g. `--rpc-port`, for error messages. */
  readonly source: string;
}
