import { resolve } from "node:path";
import {
  createLocalNetwork,
  defaultLocalNetworkOptions,
  type LocalNodeProcess,
  localNetworkStatus,
  readLocalNetwork,
  startLocalNetwork,
  stopLocalNetwork,
} from "../../localnet/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";

/** Options of {@link createNetworkCommand}. */
export interface NetworkCommandOptions {
  /** Resolves when `network up` should stop its nodes; default: the first SIGINT or SIGTERM. */
  readonly stopSignal?: () => Promise<void>;
}

const dirOption = {
  dir: { type: "string", value: "<dir>", description: "the network's directory", required: true },
} as const;

function signalStop(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

function printStarted(processes: readonly LocalNodeProcess[], io: CliIo): void {
  for (const { node, rpcUrl, child } of processes) {
    io.stdout(
      `${node.name.padEnd(12)} ${rpcUrl}  p2p ${node.multiaddr}  pid ${child.pid}  ${node.kind === "hospital" ? `validator ${node.address}` : "observer"}\n`,
    );
  }
}

function upAction(options: NetworkCommandOptions) {
  return cliAction({
    description: `Starts a local network on 127.0.0.1: N hospitals, each a validator process, and M observers. On the first run it generates the genesis (hospitals, a regulator, a researcher, a review board; the observers' node keys are regulator accounts), every key (keys.json, mode 0600) and a config per node (hospital-<i>/config.json, observer-<j>/config.json); later runs on the same directory restart from its data. Hospital i serves JSON-RPC on P+i, observer j on P+N+j; p2p listens on ${defaultLocalNetworkOptions.p2pBasePort}+position. Each node's pid is in its node.pid and its log in node.log. Runs until Ctrl-C (SIGINT) or SIGTERM, then stops every node cleanly; a node that exits meanwhile is reported and the others go on (a network tolerates f of 3f + 1 down).`,
    usage: "--hospitals N --dir <dir> [--base-port P] [--observers M] [--p2p-base-port Q]",
    options: {
      ...dirOption,
      hospitals: { type: "integer", min: 1, max: 64, required: true, description: "validators" },
      observers: { type: "integer", min: 0, max: 64, description: "observer nodes (default 0)" },
      "base-port": {
        type: "integer",
        min: 1,
        max: 65_000,
        description: `JSON-RPC port of hospital 0 (default ${defaultLocalNetworkOptions.basePort})`,
      },
      "p2p-base-port": {
        type: "integer",
        min: 1,
        max: 65_000,
        description: `p2p port of hospital 0 (default ${defaultLocalNetworkOptions.p2pBasePort})`,
      },
    },
    run: async ({ values }, io) => {
      const network = await createLocalNetwork({
        dir: resolve(values.dir),
        hospitals: values.hospitals,
        ...(values.observers === undefined ? {} : { observers: values.observers }),
        ...(values["base-port"] === undefined ? {} : { basePort: values["base-port"] }),
        ...(values["p2p-base-port"] === undefined ? {} : { p2pBasePort: values["p2p-base-port"] }),
      });
      const stopRequested = (options.stopSignal ?? signalStop)();
      const processes = await startLocalNetwork(network);
      printStarted(processes, io);
      io.stdout(`network up in ${network.dir}; Ctrl-C stops every node\n`);
      // One node exiting (a crash, or stopped on its own) leaves the others running, as a
      // network tolerates; Ctrl-C, or every node gone (`network down`), ends `up`.
      let failed = false;
      const allExited = Promise.all(
        processes.map(async ({ node, exited }) => {
          const code = await exited;
          if (code !== 0) failed = true;
          io.stderr(
            `${node.name} ${code === 0 ? "stopped" : `exited with ${code}; see ${node.dir}/node.log`}\n`,
          );
        }),
      );
      await Promise.race([stopRequested, allExited]);
      const report = await stopLocalNetwork(network);
      for (const node of report) {
        if (node.outcome !== "notRunning") io.stdout(`${node.name.padEnd(12)} ${node.outcome}\n`);
      }
      return failed ? 1 : 0;
    },
  });
}

function downAction() {
  return cliAction({
    description:
      "Stops the nodes of a local network started by `network up` (by their pid files): SIGTERM, then SIGKILL for any still running after 15 s.",
    usage: "--dir <dir>",
    options: dirOption,
    run: async ({ values }, io) => {
      const report = await stopLocalNetwork(await readLocalNetwork(resolve(values.dir)));
      for (const node of report) {
        io.stdout(
          `${node.name.padEnd(12)} ${node.outcome}${node.pid === undefined ? "" : ` (pid ${node.pid})`}\n`,
        );
      }
      return 0;
    },
  });
}

function statusAction() {
  return cliAction({
    description:
      "Shows each node of a local network: up or down, ready, head height, QBFT round, peers and the validator set named in its head block.",
    usage: "--dir <dir> [--json]",
    options: { ...dirOption, json: { type: "boolean", description: "print JSON" } },
    run: async ({ values }, io) => {
      const statuses = await localNetworkStatus(await readLocalNetwork(resolve(values.dir)));
      if (values.json === true) {
        io.stdout(
          `${JSON.stringify(statuses, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
        );
        return 0;
      }
      for (const s of statuses) {
        const state = !s.up
          ? "down"
          : `${s.ready === true ? "ready" : "not ready"}  height ${s.height}  round ${s.round ?? "-"}  peers ${s.peers}  validators ${s.validators?.length} [${s.validators?.join(", ")}]`;
        io.stdout(`${s.name.padEnd(12)} ${s.rpcUrl}  ${state}\n`);
      }
      return 0;
    },
  });
}

/**
 * Creates `custos network`: `up` generates (on first use) and runs a local multi-hospital
 * network as separate processes, `down` stops one, `status` shows each node's head, round,
 * peers and validator set.
 *
 * @throws CustosError `CLI_USAGE` for bad flags; `INVALID_ARGUMENT` for a directory holding
 *   no network or one of another shape; `NODE_START_FAILED` when a node does not start.
 * @example
 * ```ts
 * await runCli(["network", "up", "--hospitals", "4", "--dir", "/tmp/net"], io);
 * ```
 */
export function createNetworkCommand(options: NetworkCommandOptions = {}): CliCommand {
  return defineCommand("network", {
    summary: "run a local multi-hospital network: network up | down | status",
    subcommands: { up: upAction(options), down: downAction(), status: statusAction() },
  });
}
