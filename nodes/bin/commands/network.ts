import { join, resolve } from "node:path";
import { isCustosError } from "../../../src/errors/index.ts";
import {
  checkLocalDataDir,
  createLocalNetwork,
  defaultLocalNetworkOptions,
  type LocalDataServiceProcess,
  type LocalDataServices,
  type LocalNetwork,
  type LocalNodeProcess,
  loadLocalConsents,
  localDataServiceStatus,
  localNetworkFiles,
  localNetworkStatus,
  readLocalDataServices,
  readLocalNetwork,
  startLocalDataServices,
  startLocalNetwork,
  stopLocalNetwork,
  writeLocalDataServices,
} from "../../localnet/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";
import { signalStop } from "../signalStop.ts";
import { usageError } from "../usageError.ts";

/** Options of {@link createNetworkCommand}. */
export interface NetworkCommandOptions {
  /** Resolves when `network up` should stop its nodes; default: the first SIGINT or SIGTERM. */
  readonly stopSignal?: () => Promise<void>;
}

const dirOption = {
  dir: { type: "string", value: "<dir>", description: "the network's directory", required: true },
} as const;

function printStarted(
  processes: readonly LocalNodeProcess[],
  services: readonly LocalDataServiceProcess[],
  io: CliIo,
): void {
  for (const { node, rpcUrl, child } of processes) {
    io.stdout(
      `${node.name.padEnd(12)} ${rpcUrl}  p2p ${node.multiaddr}  pid ${child.pid}  ${node.kind === "hospital" ? `validator ${node.address}` : "observer"}\n`,
    );
  }
  for (const { service, child } of services) {
    io.stdout(
      `${service.name.padEnd(12)} data service ${service.url}  pid ${child.pid}  organisation ${service.hospitalId}  data ${service.omopDir}\n`,
    );
  }
}

const dataFlags = { omopDir: "--with-data", basePort: "--data-base-port" } as const;

/** Problems with the data set or its ports are the user's flags: a usage error naming one. */
async function flagged<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isCustosError(error, "INVALID_ARGUMENT")) {
      const field = error.details.field;
      if (field === "omopDir" || field === "basePort") {
        const flag = dataFlags[field];
        throw usageError("network up", `${flag}: ${error.shortMessage}`, { flag });
      }
    }
    throw error;
  }
}

/**
 * The data set the network runs its data services on: `--with-data`, else the one of an
 * earlier run, else none. Checked before anything is written: a wrong directory is a typo,
 * not a network to set up.
 */
async function dataSetOf(
  dir: string,
  values: {
    readonly hospitals: number;
    readonly "with-data"?: string | undefined;
    readonly "data-base-port"?: number | undefined;
  },
): Promise<string | undefined> {
  if (values["with-data"] !== undefined) {
    const omopDir = resolve(values["with-data"]);
    await flagged(checkLocalDataDir(omopDir, values.hospitals));
    return omopDir;
  }
  const recorded = (await readLocalDataServices(dir))?.omopDir;
  if (recorded === undefined && values["data-base-port"] !== undefined) {
    throw usageError("network up", "--data-base-port needs --with-data", {
      flag: "--data-base-port",
    });
  }
  return recorded;
}

/** Loads the consents on first start, then starts the data services; stops all on failure. */
async function startData(
  network: LocalNetwork,
  data: LocalDataServices,
  signal: AbortSignal,
  io: CliIo,
): Promise<LocalDataServiceProcess[]> {
  try {
    for (const load of await loadLocalConsents(network, data, { signal })) {
      if (load.outcome === "loaded") {
        io.stdout(
          `${load.name.padEnd(12)} consents on chain: ${load.granted} granted, ${load.revoked} revoked\n`,
        );
      }
    }
    return await startLocalDataServices(data);
  } catch (error) {
    await stopLocalNetwork(network);
    throw error;
  }
}

function upAction(options: NetworkCommandOptions) {
  return cliAction({
    description: `Starts a local network on 127.0.0.1: N hospitals, each a validator process, and M observers. On the first run it generates the genesis (hospitals, a regulator, a researcher, a review board; the observers' node keys are regulator accounts), every key (keys.json, mode 0600) and a config per node (hospital-<i>/config.json, observer-<j>/config.json); later runs on the same directory restart from its data. Hospital i serves JSON-RPC on P+i, observer j on P+N+j; p2p listens on ${defaultLocalNetworkOptions.p2pBasePort}+position. Each node's pid is in its node.pid and its log in node.log. Runs until Ctrl-C (SIGINT) or SIGTERM, then stops every node cleanly; a node that exits meanwhile is reported and the others go on (a network tolerates f of 3f + 1 down).

With --with-data <omop dir> (a data set of \`custos data generate\` with at least N hospitals) each hospital also runs its data service on <omop dir>/hospital-<i>, on D+i (D = --data-base-port, default a free range kept for later runs), after its node: hospital-<i>/data-service.json with a permissive demo policy, its recorder's key in recorder.key (0600), pid in data-service.pid, log in data-service.log. The first run puts each hospital's synthetic consents on chain as its recorder (remembered in hospital-<i>/consents.json). researcher.json and review-board.json in the network's directory are configs for \`custos query --config\`. Later runs start the data services again without the flag. See docs/network.md.`,
    usage:
      "--hospitals N --dir <dir> [--base-port P] [--observers M] [--p2p-base-port Q] [--with-data <omop dir>] [--data-base-port D]",
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
      "with-data": {
        type: "string",
        value: "<omop dir>",
        description: "run each hospital's data service on this synthetic OMOP data set",
      },
      "data-base-port": {
        type: "integer",
        min: 1,
        max: 65_000,
        description: "data service port of hospital 0 (default: a free range)",
      },
    },
    run: async ({ values }, io) => {
      const dir = resolve(values.dir);
      const omopDir = await dataSetOf(dir, values);
      const network = await createLocalNetwork({
        dir,
        hospitals: values.hospitals,
        ...(values.observers === undefined ? {} : { observers: values.observers }),
        ...(values["base-port"] === undefined ? {} : { basePort: values["base-port"] }),
        ...(values["p2p-base-port"] === undefined ? {} : { p2pBasePort: values["p2p-base-port"] }),
      });
      const data =
        omopDir === undefined
          ? undefined
          : await flagged(
              writeLocalDataServices(network, {
                omopDir,
                ...(values["data-base-port"] === undefined
                  ? {}
                  : { basePort: values["data-base-port"] }),
              }),
            );
      const stopRequested = (options.stopSignal ?? (() => signalStop()))();
      const aborter = new AbortController();
      void stopRequested.then(() => aborter.abort());
      const processes = await startLocalNetwork(network);
      const services = data === undefined ? [] : await startData(network, data, aborter.signal, io);
      printStarted(processes, services, io);
      if (data !== undefined) {
        io.stdout(
          `queries: custos query … --config ${join(network.dir, localNetworkFiles.researcherConfig)} (review board: ${join(network.dir, localNetworkFiles.reviewBoardConfig)})\n`,
        );
      }
      io.stdout(
        `network up in ${network.dir}; Ctrl-C stops every ${data === undefined ? "node" : "data service and node"}\n`,
      );
      // One node exiting (a crash, or stopped on its own) leaves the others running, as a
      // network tolerates; Ctrl-C, or every node gone (`network down`), ends `up`.
      let failed = false;
      const report = (name: string, code: number | string, log: string) => {
        if (code !== 0) failed = true;
        io.stderr(`${name} ${code === 0 ? "stopped" : `exited with ${code}; see ${log}`}\n`);
      };
      for (const { service, exited } of services) {
        void exited.then((code) =>
          report(
            `${service.name}/data-service`,
            code,
            join(service.dir, localNetworkFiles.dataServiceLog),
          ),
        );
      }
      const allExited = Promise.all(
        processes.map(async ({ node, exited }) =>
          report(node.name, await exited, join(node.dir, localNetworkFiles.log)),
        ),
      );
      await Promise.race([stopRequested, allExited]);
      for (const stopped of await stopLocalNetwork(network)) {
        if (stopped.outcome !== "notRunning") {
          io.stdout(`${stopped.name.padEnd(12)} ${stopped.outcome}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  });
}

function downAction() {
  return cliAction({
    description:
      "Stops the data services and then the nodes of a local network started by `network up` (by their pid files): SIGTERM, then SIGKILL for any still running after 15 s.",
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
      "Shows each node of a local network: up or down, ready, head height, QBFT round, peers and the validator set named in its head block; and, for a network with data, each hospital's data service: up or down, ready, URL (in JSON: a hospital's `dataService`).",
    usage: "--dir <dir> [--json]",
    options: { ...dirOption, json: { type: "boolean", description: "print JSON" } },
    run: async ({ values }, io) => {
      const dir = resolve(values.dir);
      const network = await readLocalNetwork(dir);
      const data = await readLocalDataServices(dir);
      const [statuses, services] = await Promise.all([
        localNetworkStatus(network),
        data === undefined ? [] : localDataServiceStatus(data),
      ]);
      if (values.json === true) {
        const merged = statuses.map((s) => {
          const service = services.find((d) => d.name === s.name);
          return service === undefined ? s : { ...s, dataService: service };
        });
        io.stdout(
          `${JSON.stringify(merged, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
        );
        return 0;
      }
      for (const s of statuses) {
        const state = !s.up
          ? "down"
          : `${s.ready === true ? "ready" : "not ready"}  height ${s.height}  round ${s.round ?? "-"}  peers ${s.peers}  validators ${s.validators?.length} [${s.validators?.join(", ")}]`;
        io.stdout(`${s.name.padEnd(12)} ${s.rpcUrl}  ${state}\n`);
      }
      for (const d of services) {
        const state = !d.up ? "down" : d.ready === true ? "ready" : "not ready";
        io.stdout(
          `${d.name.padEnd(12)} data service ${d.url}  ${state}${d.pid === undefined ? "" : `  pid ${d.pid}`}\n`,
        );
      }
      return 0;
    },
  });
}

/**
 * Creates `custos network`: `up` generates (on first use) and runs a local multi-hospital
 * network as separate processes (with `--with-data`, each hospital's data service on a
 * synthetic data set too), `down` stops one, `status` shows each node's head, round, peers
 * and validator set, and each data service.
 *
 * @throws CustosError `CLI_USAGE` for bad flags (naming `--with-data` for a data set that
 *   does not fit); `INVALID_ARGUMENT` for a directory holding no network or one of another
 *   shape; `NODE_START_FAILED` when a node or data service does not start, or no block comes
 *   to load the consents in.
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
