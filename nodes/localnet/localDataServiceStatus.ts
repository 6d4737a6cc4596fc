import { join } from "node:path";
import type { LocalDataServices } from "./LocalDataService.ts";
import { localNetworkFiles } from "./LocalNetwork.ts";
import { readPidFile } from "./readPidFile.ts";

/** One data service's state as `network status` shows it. */
export interface LocalDataServiceStatus {
  /** The hospital's node name, `hospital-<i>`. */
  readonly name: string;
  readonly hospitalId: number;
  readonly url: string;
  /** False when it does not answer `/liveness`. */
  readonly up: boolean;
  /** `/readiness`: OMOP data, person map and consent index loaded. */
  readonly ready?: boolean;
  /** Its pid, when started by `network up` and still running. */
  readonly pid?: number;
}

const TIMEOUT_MS = 2_000;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })).ok;
  } catch {
    return false;
  }
}

/**
 * Asks every data service of a local network, at once, whether it is up and ready; one that
 * does not answer within 2 s is reported down.
 *
 * @example
 * ```ts
 * const data = await readLocalDataServices(dir);
 * if (data) for (const s of await localDataServiceStatus(data)) console.log(s.name, s.up);
 * ```
 */
export function localDataServiceStatus(data: LocalDataServices): Promise<LocalDataServiceStatus[]> {
  return Promise.all(
    data.services.map(async (service) => {
      const [up, ready, pid] = await Promise.all([
        answers(`${service.url}/liveness`),
        answers(`${service.url}/readiness`),
        readPidFile(join(service.dir, localNetworkFiles.dataServicePid)),
      ]);
      return {
        name: service.name,
        hospitalId: service.hospitalId,
        url: service.url,
        up,
        ...(up ? { ready } : {}),
        ...(pid === undefined ? {} : { pid }),
      };
    }),
  );
}
