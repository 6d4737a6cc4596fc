import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { CustosError } from "../../../../src/errors/index.ts";

/** What the `custos query` sub-commands work with; tests replace parts of it. */
export interface QueryCommandContext {
  /** Reads a file as UTF-8; rejects when it cannot. */
  readonly readText: (path: string) => Promise<string>;
  /** Writes a file as UTF-8, all or nothing, creating its directory. */
  readonly writeText: (path: string, text: string) => Promise<void>;
  /** The fetch data service calls use. */
  readonly fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Waits between polls; rejects with `LEDGER_ABORTED` when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds between polls while waiting for answers. */
  readonly pollIntervalMs: number;
}

/** Options of `createQueryCommand`: any part of {@link QueryCommandContext}. */
export type QueryCommandOptions = Partial<QueryCommandContext>;

async function replaceFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, "utf8");
  await rename(temporary, path);
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch (cause) {
    throw new CustosError("LEDGER_ABORTED", "waiting was stopped", { details: {}, cause });
  }
}

/**
 * The context of the query sub-commands: `options`, with defaults for the rest — node:fs,
 * the global fetch, `Date.now`, node:timers and a 2 s poll interval.
 *
 * @example
 * ```ts
 * const context = queryCommandContext({ clock: () => virtualNow });
 * ```
 */
export function queryCommandContext(options: QueryCommandOptions): QueryCommandContext {
  return {
    readText: options.readText ?? ((path) => readFile(path, "utf8")),
    writeText: options.writeText ?? replaceFile,
    fetch: options.fetch ?? fetch,
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? sleep,
    pollIntervalMs: options.pollIntervalMs ?? 2_000,
  };
}
