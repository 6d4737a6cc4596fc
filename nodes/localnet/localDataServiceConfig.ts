import { join } from "node:path";
import { measureTypeNames } from "../dataService/index.ts";
import type { LocalDataService } from "./LocalDataService.ts";
import { localNetworkFiles } from "./LocalNetwork.ts";

/**
 * The site policy of a local network's data services: permissive, for demos — the DUO
 * purposes researchers ask for most (health/medical/biomedical, general research use, disease
 * specific), every measure type, the usual minimum cell of 11, everything else the schema's
 * defaults (no rounding, no noise, no manual release).
 */
export const localDataServicePolicy = {
  purposes: ["HMB", "GRU", "DS"],
  measures: [...measureTypeNames],
  minCellSize: 11,
} as const;

/**
 * The `custos data-service --config` document of a local hospital's data service: its own
 * node as `rpcUrl`, the recorder key and state next to the config (relative paths, so the
 * network directory can move), the hospital's synthetic OMOP directory and pseudonym key
 * (absolute: they live outside the network), {@link localDataServicePolicy}, and a chain poll
 * every 500 ms so demo queries finish within seconds.
 *
 * @example
 * ```ts
 * const config = localDataServiceConfig(service, { rpcUrl, contracts, logLevel: "info" });
 * await writeFile(service.configFile, JSON.stringify(config, null, 2));
 * ```
 */
export function localDataServiceConfig(
  service: Pick<LocalDataService, "hospitalId" | "port" | "omopDir">,
  options: {
    readonly rpcUrl: string;
    readonly contracts: { readonly accessLedger: string; readonly consentRegistry: string };
    readonly logLevel: string;
  },
): Record<string, unknown> {
  return {
    hospitalId: service.hospitalId,
    rpcUrl: options.rpcUrl,
    recorderKeyFile: localNetworkFiles.recorderKey,
    contracts: {
      accessLedger: options.contracts.accessLedger,
      consentRegistry: options.contracts.consentRegistry,
    },
    omop: { engine: "duckdb", path: service.omopDir },
    pseudonymKeyFile: join(service.omopDir, "pseudonym-key.json"),
    dataDir: localNetworkFiles.dataServiceData,
    http: { host: "127.0.0.1", port: service.port },
    policy: localDataServicePolicy,
    jobs: { pollIntervalMs: 500 },
    logLevel: options.logLevel,
  };
}
