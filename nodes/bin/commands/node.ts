import { arch, platform } from "node:os";
import { bytesToHex } from "@ethereumjs/util";
import { isCustosError } from "../../../src/errors/index.ts";
import { packageVersion } from "../../../src/runtime/index.ts";
import { loadConfig } from "../../config/index.ts";
import { createLogger, type LogDestination } from "../../log/index.ts";
import { type CustosNode, devChainFiles, startNode } from "../../node/index.ts";
import type { CliCommand } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { configFileOption, configOptions, configOverrides } from "../configOptions.ts";
import { defineCommand } from "../defineCommand.ts";
import { signalStop } from "../signalStop.ts";

/** Options of {@link createNodeCommand}. */
export interface NodeCommandOptions {
  /**
   * Resolves when the node should stop; default: the first SIGINT or SIGTERM. Tests pass
   * their own promise.
   */
  readonly stopSignal?: () => Promise<void>;
  /** Where log lines go; default standard error (standard output carries the summary). */
  readonly logDestination?: LogDestination;
}

/**
 * `--no-accelerate`: `execution.accelerate` false, the EVM interpreter for every transaction
 * (a flag of its own because turning a feature off is what an operator reaches for).
 */
const noAccelerateOption = {
  type: "boolean",
  description:
    "execute every transaction on the EVM interpreter, ConsentRegistry's hot functions too (execution.accelerate false; decision 014)",
} as const;

/**
 * The config overrides of `custos node`'s flags: the config flags, and `--no-accelerate`,
 * which wins over `--execution-accelerate`.
 *
 * @example
 * ```ts
 * nodeConfigOverrides({ "no-accelerate": true }); // [{ path: "execution.accelerate", value: false, … }]
 * ```
 */
export function nodeConfigOverrides(
  values: Readonly<Record<string, unknown>>,
): ReturnType<typeof configOverrides> {
  const overrides = configOverrides(values);
  if (values["no-accelerate"] !== true) return overrides;
  return [...overrides, { path: "execution.accelerate", value: false, source: "--no-accelerate" }];
}

/**
 * After SIGINT/SIGTERM, the process exits by this deadline even if stopping hangs. A clean
 * stop writes the state held in memory (up to 64 blocks' changes): ~12 s at 10 M consents
 * (decision 015), and a node holding 6.4 M did not stop within the former 10 s under load
 * (exit 1, its next start re-executing those blocks).
 */
const STOP_DEADLINE_MS = 60_000;

function validatorLine(node: CustosNode): string {
  const period = `${node.genesis.blockPeriodSeconds} s period`;
  if (node.network !== undefined) {
    return node.validator === undefined
      ? "none (observer: follows and verifies the network's blocks)"
      : `${bytesToHex(node.validator)} (QBFT validator once in the height's set, ${period})`;
  }
  return node.validator === undefined
    ? "none (this node does not produce blocks)"
    : `${bytesToHex(node.validator)} (solo block producer, ${period})`;
}

function summary(node: CustosNode): string {
  const lines = [
    `custos node ${packageVersion}${node.dev === undefined ? "" : " (dev)"}`,
    `data dir        ${node.dataDir}`,
    `chain id        ${node.genesis.chainId}`,
    `genesis         ${bytesToHex(node.genesisHash)}`,
    `head            ${node.api.head().header.number}`,
    `validator       ${validatorLine(node)}`,
    `Consortium      ${node.genesis.contracts.consortium}`,
    `ConsentRegistry ${node.genesis.contracts.consentRegistry}`,
    `AccessLedger    ${node.genesis.contracts.accessLedger}`,
  ];
  if (node.reindexed !== undefined) {
    const r = node.reindexed;
    lines.push(
      `reindexed ${r.blocks} blocks (${r.transactions} transactions) in ${r.seconds.toFixed(2)} s`,
    );
  }
  if (node.dev !== undefined) {
    const keys = node.dev.keys;
    lines.push(`dev keys        ${node.dev.keysFile} (mode 0600; keep it private)`);
    keys.hospitals.forEach((h, i) => {
      lines.push(
        `hospital ${String(i + 1).padEnd(6)} ${h.account.address} (admin), ${h.recorder.address} (recorder)`,
      );
    });
    lines.push(`regulator       ${keys.regulator.address}`);
    lines.push(`researcher      ${keys.researcher.address}`);
    lines.push(`review board    ${keys.reviewBoard.address}`);
  }
  if (node.network !== undefined) {
    lines.push(`peer id         ${node.network.p2p.peerId}`);
    for (const address of node.network.p2p.multiaddrs()) lines.push(`p2p             ${address}`);
  }
  lines.push(`JSON-RPC        ${node.rpcUrl}`);
  if (node.wsUrl !== undefined) lines.push(`WebSocket       ${node.wsUrl}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Creates `custos node`: loads and validates the configuration (file plus flags), starts the
 * node, prints where it serves (and, for a dev node, the accounts and the keys file), then
 * runs until SIGINT/SIGTERM and stops cleanly (the block in progress is committed first).
 *
 * @throws CustosError `CLI_USAGE` for an unknown flag or a value of the wrong type;
 *   `CONFIG_INVALID` and the start-up errors of `startNode`.
 * @example
 * ```ts
 * await runCli(["node", "--dev", "--rpc-port", "0"], io);
 * ```
 */
export function createNodeCommand(options: NodeCommandOptions = {}): CliCommand {
  return defineCommand("node", {
    summary: "run a hospital node (JSON-RPC, block production, storage); --dev for a dev chain",
    action: cliAction({
      description: `Runs a hospital node: EVM execution, crash-safe storage, the member-only transaction pool, blocks by QBFT consensus with the network's other hospitals (p2p.enabled; --observer follows without voting) or by this node's validator alone (solo mode), and the JSON-RPC endpoint (HTTP and WebSocket) with /liveness, /readiness and /metrics. Stops cleanly on SIGINT or SIGTERM (also during start-up; within 60 s at most: a clean stop writes the state held in memory).

With --dev, a development chain: generated on the first start in the data directory (a temporary one without --data-dir), contracts at genesis, funded member accounts (each hospital: an admin account and a separate consent recorder) whose keys go to ${devChainFiles.keys} in the data directory (mode 0600).`,
      usage: "[--config <file.json>] [--dev] [--reindex] [--no-accelerate] [config flags]",
      options: {
        config: configFileOption,
        ...configOptions(),
        reindex: {
          type: "boolean",
          description:
            "replay and verify every stored block from genesis into a fresh database before serving (the old one is kept until the new one is complete)",
        },
        "no-accelerate": noAccelerateOption,
      },
      run: async ({ values }, io) => {
        const file = values.config;
        const config = await loadConfig({
          ...(file === undefined ? {} : { file }),
          overrides: nodeConfigOverrides(values),
        });
        const logger = createLogger({
          level: config.log.level,
          pretty: config.log.pretty,
          destination: options.logDestination ?? { write: (line) => process.stderr.write(line) },
        });
        const stopRequested = (
          options.stopSignal ?? (() => signalStop({ deadlineMs: STOP_DEADLINE_MS, what: "node" }))
        )();
        // A stop requested during start-up aborts it (releasing what was opened).
        const startUp = new AbortController();
        void stopRequested.then(() => startUp.abort());
        let node: CustosNode;
        try {
          node = await startNode(
            {
              config,
              reindex: values.reindex === true,
              onReindexProgress: (done, total) => io.stderr(`reindex ${done}/${total} blocks\n`),
              signal: startUp.signal,
            },
            {
              logger,
              clientVersion: `custos/v${packageVersion}/${platform()}-${arch()}/node-${process.version}`,
            },
          );
        } catch (error) {
          // One structured line with the code and details (block, part, file, path, pid) for
          // operators and their log tooling; the CLI prints the code and message.
          if (isCustosError(error)) {
            logger.error({ code: error.code, details: error.details }, "node did not start");
          }
          throw error;
        }
        io.stdout(summary(node));
        await stopRequested;
        await node.stop();
        io.stdout("stopped\n");
        return 0;
      },
    }),
  });
}
