import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { type CustosError, isCustosError } from "../../../src/errors/index.ts";
import {
  commitGenesis,
  decodeBlockHeader,
  type Genesis,
  installQbftBlockHash,
  loadGenesisFile,
  readValidatorHistory,
  verifySealedHeader,
} from "../../chain/index.ts";
import { type ConfigOverride, loadConfig } from "../../config/index.ts";
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
import { createCustosCommon, createExecutionEngine } from "../../execution/index.ts";
import { chainDirectories, devChainFiles } from "../../node/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { configFileOption, configOptions, configOverrides } from "../configOptions.ts";
import { defineCommand } from "../defineCommand.ts";
import { usageError } from "../usageError.ts";

/** Options of {@link createDbCommand}. */
export interface DbCommandOptions {
  /** Stops a running check (default: the first SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
  /** Blocks between progress lines on standard error (default 100,000). */
  readonly progressEvery?: number;
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

/** A seal check's failure as a problem's reason, or the error when it is not one. */
function sealFailure(error: unknown): string {
  if (isCustosError(error, "QBFT_SEAL_INVALID") || isCustosError(error, "BLOCK_INVALID")) {
    return (error as CustosError).shortMessage;
  }
  throw error;
}

/**
 * Checks each block's commit seals against the Consortium's validator set for its height,
 * read from the head's state (see `readValidatorHistory`), or a problem saying why they
 * cannot be checked (the head's state is damaged).
 */
async function sealCheck(
  chainDb: ChainDb,
  genesis: Genesis,
): Promise<
  | { check: (headerRlp: Uint8Array, number: bigint) => string | undefined }
  | { problem: ChainProblem }
> {
  const head = chainDb.head() as NonNullable<ReturnType<ChainDb["head"]>>;
  const engine = createExecutionEngine({ chainDb });
  try {
    const history = await readValidatorHistory(
      (request) => engine.call(request, head),
      hexToBytes(genesis.contracts.consortium as `0x${string}`),
    );
    return {
      check: (headerRlp, number) => {
        try {
          verifySealedHeader(decodeBlockHeader(headerRlp), history.at(number));
          return undefined;
        } catch (error) {
          return sealFailure(error);
        }
      },
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      problem: {
        blockNumber: head.header.number,
        blockHash: head.hash(),
        part: "seals",
        reason: `not checked: the validator sets cannot be read from the head's state (${reason})`,
      },
    };
  }
}

async function checkStopped(
  chainDb: ChainDb,
  genesis: Genesis,
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
  if (from > to) throw usageError("db", `--from ${from} is above --to ${to}`, { flag: "--from" });
  const every = BigInt(options.progressEvery ?? 100_000);
  let reported = from;
  const started = performance.now();
  const seals = await sealCheck(chainDb, genesis);
  if ("problem" in seals) problems.push(seals.problem);
  const report = await checkChain(chainDb, {
    from,
    to,
    maxProblems: 1000,
    signal,
    ...("check" in seals ? { checkHeader: seals.check } : {}),
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
 * `--from`/`--to`) and its head marker, every block's commit seals against the validator set
 * for its height (`verifySealedHeader`), prints every problem (block number, hash and part)
 * and fails with `CHAIN_DB_CORRUPT` when there is one.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `CONFIG_INVALID`/`GENESIS_INVALID` for
 *   the configuration or genesis; `CHAIN_DB_INCOMPATIBLE` for a database of a version before
 *   QBFT block hashes; `NODE_START_FAILED` when the data directory is missing, in
 *   use by a running node (naming its pid) or unreadable; `CHAIN_DB_CORRUPT` when the check
 *   finds damage; `NODE_ABORTED` when interrupted.
 * @example
 * ```ts
 * await runCli(["db", "check", "--data-dir", "/var/lib/custos"], io);
 * ```
 */
export function createDbCommand(options: DbCommandOptions = {}): CliCommand {
  const check = cliAction({
    description: `Checks a stopped node's chain database, block by block: the canonical index, each header (its hash — Besu's QBFT on-chain hash —, number, link to the previous block, and commit seals: a quorum of the Consortium's validators for its height, by Besu's rules), each body (its transactions against the header's transactionsRoot), the receipts (against the receiptsRoot), the transaction index, the head's state root, and the head against the head marker (${HEAD_MARKER_FILE}). Prints every problem found (block number, hash, part) and exits with 1 and CHAIN_DB_CORRUPT if there is any. The node must be stopped: the check claims the data directory. The data directory comes from --data-dir or the --config file; a dev chain there is recognised by its files; otherwise the genesis comes from --chain-genesis-file or the config.

Recovery when it finds damage: docs/node.md, "Damage to the database".`,
    usage: "[--data-dir <dir>] [--config <file.json>] [--from N] [--to N] [config flags]",
    options: {
      config: configFileOption,
      ...configOptions(),
      from: { type: "integer", min: 0, description: "first block to check (default 0)" },
      to: { type: "integer", min: 0, description: "last block to check (default the head)" },
    },
    run: async ({ values }, io) => {
      const file = values.config;
      const overrides = configOverrides(values);
      const config = await loadConfig({
        ...(file === undefined ? {} : { file }),
        overrides: await withDevDetected(file, overrides),
      });
      const dataDir = config.dataDir;
      if (dataDir === undefined) {
        throw usageError("db", "--data-dir (or dataDir in --config) is required", {
          flag: "--data-dir",
        });
      }
      const range = {
        ...(values.from === undefined ? {} : { from: BigInt(values.from) }),
        ...(values.to === undefined ? {} : { to: BigInt(values.to) }),
      };
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
      // The node's block hashes: the database was written under this rule.
      installQbftBlockHash();
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
          genesis,
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
  });
  return defineCommand("db", {
    summary: "check a stopped node's chain database (db check --data-dir <dir>)",
    subcommands: { check },
  });
}
