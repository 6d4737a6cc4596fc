import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import { bytesToHex } from "@ethereumjs/util";
import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import { commitGenesis, loadGenesisFile } from "../../chain/index.ts";
import { type ConfigOverride, loadConfig, parseConfigFlags } from "../../config/index.ts";
import {
  type ChainDb,
  type ChainProblem,
  chainCorruptError,
  checkChain,
  checkHeadMarker,
  createChainDb,
  HEAD_MARKER_FILE,
  lockDataDir,
  readHeadMarker,
  storageError,
} from "../../db/index.ts";
import { createCustosCommon } from "../../execution/index.ts";
import { chainDirectories, devChainFiles } from "../../node/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";

/** Options of {@link createDbCommand}. */
export interface DbCommandOptions {
  /** Stops a running check (default: the first SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
  /** Blocks between progress lines on standard error (default 100,000). */
  readonly progressEvery?: number;
}

const HELP = `Usage: custos db check [--data-dir <dir>] [--config <file.json>] [--from N] [--to N]

Checks a stopped node's chain database, block by block: the canonical index, each header
(its hash, number and link to the previous block), each body (its transactions against the
header's transactionsRoot), the receipts (against the receiptsRoot), the transaction index,
the head's state root, and the head against the head marker (${HEAD_MARKER_FILE}). Prints
every problem found (block number, hash, part) and exits with 1 and CHAIN_DB_CORRUPT if
there is any. The node must be stopped: the check claims the data directory.

  --data-dir <dir>   the node's data directory (a dev chain is recognised by its files)
  --config <file>    the node's configuration (its dataDir and chain.genesisFile)
  --chain-genesis-file <file>   the genesis, when not given by --config or a dev chain
  --from N           first block to check (default 0)
  --to N             last block to check (default the head)
  -h, --help         show this help

Recovery when it finds damage: docs/node.md, "Damage to the database".
`;

function usage(message: string): CustosError {
  return new CustosError("CLI_USAGE", `${message} (see custos db --help)`, {
    details: { command: "db" },
  });
}

function blockNumber(flag: string, value: string | undefined): bigint {
  if (value === undefined || !/^\d{1,20}$/.test(value)) {
    throw usage(`${flag} needs a block number`);
  }
  return BigInt(value);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A data directory holding a dev chain is checked as one without `--dev`. */
async function withDevDetected(
  file: string | undefined,
  overrides: readonly ConfigOverride[],
): Promise<readonly ConfigOverride[]> {
  const dataDir = overrides.findLast((o) => o.path === "dataDir")?.value;
  const named = overrides.some((o) => o.path === "dev" || o.path === "chain.genesisFile");
  if (file !== undefined || named || typeof dataDir !== "string") return overrides;
  if (!(await exists(join(dataDir, devChainFiles.genesis)))) return overrides;
  return [
    ...overrides,
    { path: "dev", value: true, source: `${devChainFiles.genesis} in --data-dir` },
  ];
}

function describe(problem: ChainProblem): string {
  const hash = problem.blockHash === undefined ? "" : ` (${bytesToHex(problem.blockHash)})`;
  return `problem         block ${problem.blockNumber}${hash} ${problem.part}: ${problem.reason}\n`;
}

async function checkStopped(
  chainDb: ChainDb,
  dataDir: string,
  range: { from?: bigint; to?: bigint },
  io: CliIo,
  options: DbCommandOptions,
  signal: AbortSignal,
): Promise<readonly ChainProblem[]> {
  const head = chainDb.head();
  const marker = await readHeadMarker(join(dataDir, HEAD_MARKER_FILE));
  io.stdout(`data dir        ${dataDir}\n`);
  io.stdout(
    `head            ${head === undefined ? "none (empty database)" : `${head.header.number} ${bytesToHex(head.hash())}`}\n`,
  );
  io.stdout(
    `head marker     ${marker === undefined ? "none" : `${marker.number} ${bytesToHex(marker.hash)}`}\n`,
  );
  const problems: ChainProblem[] = [];
  if (marker !== undefined) {
    const [atMarker] =
      head === undefined || head.header.number < marker.number
        ? [undefined]
        : [await chainDb.canonicalHash(marker.number)];
    const problem = checkHeadMarker(head?.header.number, atMarker, marker);
    if (problem !== undefined) problems.push(problem);
  }
  if (head === undefined) return problems;
  const from = range.from ?? 0n;
  const to =
    range.to === undefined || range.to > head.header.number ? head.header.number : range.to;
  if (from > to) throw usage(`--from ${from} is above --to ${to}`);
  const every = BigInt(options.progressEvery ?? 100_000);
  let reported = from;
  const started = performance.now();
  const report = await checkChain(chainDb, {
    from,
    to,
    maxProblems: 1000,
    signal,
    onProgress: (checked) => {
      if (checked - reported >= every) {
        reported = checked;
        io.stderr(`checked ${checked - from + 1n}/${to - from + 1n} blocks\n`);
      }
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  io.stdout(
    `checked         blocks ${from}..${to}: ${report.blocks} blocks, ${report.transactions} transactions in ${seconds} s\n`,
  );
  return [...problems, ...report.problems];
}

function stopOnSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/**
 * Creates `custos db`: `custos db check` verifies a stopped node's whole chain database (or
 * `--from`/`--to`) and its head marker, prints every problem (block number, hash and part)
 * and fails with `CHAIN_DB_CORRUPT` when there is one.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `CONFIG_INVALID`/`GENESIS_INVALID` for
 *   the configuration or genesis; `NODE_START_FAILED` when the data directory is missing, in
 *   use by a running node (naming its pid) or unreadable; `CHAIN_DB_CORRUPT` when the check
 *   finds damage; `NODE_ABORTED` when interrupted.
 * @example
 * ```ts
 * await runCli(["db", "check", "--data-dir", "/var/lib/custos"], io);
 * ```
 */
export function createDbCommand(options: DbCommandOptions = {}): CliCommand {
  return {
    name: "db",
    summary: "check a stopped node's chain database (db check --data-dir <dir>)",
    async run(args, io) {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === "-h" || sub === "--help" || rest.includes("--help")) {
        io.stdout(HELP);
        return 0;
      }
      if (sub !== "check") throw usage(`unknown db command "${sub}"`);
      const { file, overrides, rest: others } = parseConfigFlags(rest);
      const range: { from?: bigint; to?: bigint } = {};
      for (let i = 0; i < others.length; i++) {
        const arg = others[i] as string;
        if (arg === "--from") range.from = blockNumber(arg, others[++i]);
        else if (arg === "--to") range.to = blockNumber(arg, others[++i]);
        else throw usage(`unknown option ${arg}`);
      }
      const config = await loadConfig({
        ...(file === undefined ? {} : { file }),
        overrides: await withDevDetected(file, overrides),
      });
      const dataDir = config.dataDir;
      if (dataDir === undefined) throw usage("--data-dir (or dataDir in --config) is required");
      try {
        if (!(await stat(dataDir)).isDirectory()) throw new Error(`${dataDir} is not a directory`);
      } catch (cause) {
        throw storageError(dataDir, cause);
      }
      const genesis = await loadGenesisFile(
        config.dev ? join(dataDir, devChainFiles.genesis) : (config.chain.genesisFile as string),
      );
      const lock = await lockDataDir(dataDir);
      const stop = options.signal === undefined ? stopOnSignal() : undefined;
      let chainDb: ChainDb | undefined;
      try {
        chainDb = await createChainDb({
          location: join(dataDir, chainDirectories.chain),
          common: createCustosCommon({ chainId: BigInt(genesis.chainId) }),
          create: false,
        });
        // The genesis must be this chain's (a hole at block 0 is left to the check to report).
        if (chainDb.head() !== undefined) {
          await commitGenesis(chainDb, genesis).catch((error: unknown) => {
            if (!isCustosError(error, "CHAIN_DB_CORRUPT")) throw error;
          });
        }
        const problems = await checkStopped(
          chainDb,
          dataDir,
          range,
          io,
          options,
          (options.signal ?? stop?.signal) as AbortSignal,
        );
        for (const problem of problems) io.stdout(describe(problem));
        if (problems.length > 0) throw chainCorruptError(problems);
        io.stdout("result          no damage found\n");
        return 0;
      } finally {
        stop?.dispose();
        await chainDb?.close();
        await lock.release();
      }
    },
  };
}
