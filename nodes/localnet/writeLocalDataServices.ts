import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import type { DevGenesisKeys } from "../chain/index.ts";
import { checkLocalDataDir } from "./checkLocalDataDir.ts";
import { findFreePortRange } from "./findFreePortRange.ts";
import type { LocalDataService, LocalDataServices } from "./LocalDataService.ts";
import { type LocalNetwork, localNetworkFiles } from "./LocalNetwork.ts";
import { readConsentsMarker } from "./loadLocalConsents.ts";
import { localDataServiceConfig } from "./localDataServiceConfig.ts";
import { readLocalDataServices } from "./readLocalDataServices.ts";

/** Options of {@link writeLocalDataServices}. */
export interface WriteLocalDataServicesOptions {
  /** A data set written by `custos data generate`, with a `hospital-<i>/` per hospital. */
  readonly omopDir: string;
  /**
   * Hospital i's data service listens on basePort + i. Default: the ports written before,
   * else a free range.
   */
  readonly basePort?: number;
  /** Log level of the data services (default `info`). */
  readonly logLevel?: string;
}

interface GenesisContracts {
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
}

/** Keys go in files of their own, owner-only, so the configs that name them can be shared. */
async function writeKey(path: string, privateKey: string): Promise<void> {
  await writeFile(path, `${privateKey}\n`, { mode: 0o600 });
}

/**
 * Writes what a local network's hospitals need to run their data services on a synthetic data
 * set, for the genesis hospitals (organisation ids 1..N):
 *
 * - per hospital, in `hospital-<i>/`: `recorder.key` (0600, the hospital's consent recorder,
 *   which also records query results) and `data-service.json` (see
 *   {@link localDataServiceConfig}; port basePort + i);
 * - in the network directory: `researcher.json` and `review-board.json` for
 *   `custos query --config` (hospital-0's node, the account's key in `researcher.key` /
 *   `review-board.key`, 0600, AccessLedger and Consortium, each hospital's data service by
 *   organisation id), and `data-services.json` (what {@link readLocalDataServices} reads).
 *
 * Writing again (a later `network up`) rewrites the same files.
 *
 * @throws CustosError `INVALID_ARGUMENT` (field `omopDir`) when the data set lacks a hospital,
 *   or differs from the one whose consents are already on chain; (field `basePort`) for ports
 *   out of range; `NODE_START_FAILED` when no free port range is found.
 * @example
 * ```ts
 * const data = await writeLocalDataServices(network, { omopDir: "/tmp/omop" });
 * data.services[0].url; // http://127.0.0.1:<basePort>
 * ```
 */
export async function writeLocalDataServices(
  network: LocalNetwork,
  options: WriteLocalDataServicesOptions,
): Promise<LocalDataServices> {
  const omopDir = resolve(options.omopDir);
  const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const contracts = (
    JSON.parse(await readFile(network.genesisFile, "utf8")) as { contracts: GenesisContracts }
  ).contracts;
  // Hospitals voted in after genesis have no keys here, and organisation ids of their own.
  const hospitals = keys.hospitals.map((_, i) => {
    const node = network.nodes.find((n) => n.name === `hospital-${i}`);
    if (node === undefined) {
      throw new CustosError("CONFIG_INVALID", `${network.dir} lists no hospital-${i}`, {
        details: { field: "dir", reason: `${localNetworkFiles.manifest} lacks hospital-${i}` },
      });
    }
    return node;
  });
  await checkLocalDataDir(omopDir, hospitals.length);
  for (const node of hospitals) {
    const marker = await readConsentsMarker(node.dir);
    if (marker !== undefined && marker.omopDir !== omopDir) {
      throw new CustosError(
        "INVALID_ARGUMENT",
        `${node.name}'s consents on chain come from ${marker.omopDir}, not ${omopDir}; its data service must read that data set`,
        { details: { field: "omopDir", dir: omopDir, loaded: marker.omopDir, node: node.name } },
      );
    }
  }
  const basePort =
    options.basePort ??
    (await readLocalDataServices(network.dir))?.basePort ??
    (await findFreePortRange(hospitals.length));
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535 - hospitals.length) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      `basePort must be an integer from 1 to ${65535 - hospitals.length}`,
      { details: { field: "basePort", value: basePort } },
    );
  }
  const services: LocalDataService[] = hospitals.map((node, i) => ({
    name: node.name,
    hospitalId: i + 1,
    dir: node.dir,
    configFile: join(node.dir, localNetworkFiles.dataServiceConfig),
    port: basePort + i,
    url: `http://127.0.0.1:${basePort + i}`,
    omopDir: join(omopDir, `hospital-${i}`),
  }));
  for (const [i, service] of services.entries()) {
    const node = hospitals[i] as (typeof hospitals)[number];
    const recorder = keys.hospitals[i]?.recorder.privateKey as string;
    await writeKey(join(service.dir, localNetworkFiles.recorderKey), recorder);
    await writeJson(
      service.configFile,
      localDataServiceConfig(service, {
        rpcUrl: `http://127.0.0.1:${node.rpcPort}`,
        contracts,
        logLevel: options.logLevel ?? "info",
      }),
    );
  }
  const first = hospitals[0] as (typeof hospitals)[number];
  const client = (keyFile: string) => ({
    rpcUrl: `http://127.0.0.1:${first.rpcPort}`,
    keyFile,
    contracts: { accessLedger: contracts.accessLedger, consortium: contracts.consortium },
    hospitals: Object.fromEntries(
      services.map((s) => [String(s.hospitalId), { name: s.name, dataService: s.url }]),
    ),
  });
  await writeKey(join(network.dir, localNetworkFiles.researcherKey), keys.researcher.privateKey);
  await writeKey(join(network.dir, localNetworkFiles.reviewBoardKey), keys.reviewBoard.privateKey);
  await writeJson(
    join(network.dir, localNetworkFiles.researcherConfig),
    client(localNetworkFiles.researcherKey),
  );
  await writeJson(
    join(network.dir, localNetworkFiles.reviewBoardConfig),
    client(localNetworkFiles.reviewBoardKey),
  );
  const data: LocalDataServices = { omopDir, basePort, services };
  await writeJson(join(network.dir, localNetworkFiles.dataServices), data);
  return data;
}
