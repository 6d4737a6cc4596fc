import { readFile, rename, writeFile } from "node:fs/promises";
import { type ConsentConnection, connectChain } from "./connectChain.ts";

/** What the `custos consent` sub-commands work with; tests replace parts of it. */
export interface ConsentContext {
  /** Where `CUSTOS_MASTER_KEY` and `CUSTOS_RECORDER_KEY` are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8; rejects when it does not exist. */
  readonly readText: (path: string) => Promise<string>;
  /** Writes a file as UTF-8, all or nothing; used for import checkpoints. */
  readonly writeText: (path: string, text: string) => Promise<void>;
  /** Opens the chain connection: a provider for `--rpc`, and a signer when a key is given. */
  readonly connect: (rpc: string, key: string | undefined) => ConsentConnection;
  /** Whether standard error is a terminal: shows the import's progress line. */
  readonly stderrIsTty: boolean;
  /** Milliseconds clock for the import's ETA. */
  readonly clock: () => number;
  /**
   * Registers `stop` to be called when the user interrupts an import; returns a function
   * that unregisters it.
   */
  readonly onInterrupt: (stop: () => void) => () => void;
}

/** Options of `createConsentCommand`: any part of {@link ConsentContext}. */
export type ConsentCommandOptions = Partial<ConsentContext>;

/** The first SIGINT calls `stop`; the handler is then gone, so a second one kills the process. */
function onSigint(stop: () => void): () => void {
  process.once("SIGINT", stop);
  return () => process.off("SIGINT", stop);
}

/** Writes `text` beside `path`, then renames it over: a crash never leaves half a checkpoint. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, "utf8");
  await rename(temporary, path);
}

/**
 * The context of the consent sub-commands: `options`, with defaults for the rest —
 * `process.env`, node:fs, ethers' `JsonRpcProvider` and `Wallet`, `process.stderr.isTTY`,
 * `performance.now`, and the first SIGINT (after which a second one kills the process as
 * usual).
 *
 * @example
 * ```ts
 * const context = consentContext({ env: { CUSTOS_MASTER_KEY: key } });
 * ```
 */
export function consentContext(options: ConsentCommandOptions): ConsentContext {
  return {
    env: options.env ?? process.env,
    readText: options.readText ?? ((path) => readFile(path, "utf8")),
    writeText: options.writeText ?? replaceFile,
    connect: options.connect ?? connectChain,
    stderrIsTty: options.stderrIsTty ?? process.stderr.isTTY === true,
    clock: options.clock ?? (() => performance.now()),
    onInterrupt: options.onInterrupt ?? onSigint,
  };
}
