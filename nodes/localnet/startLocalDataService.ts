import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { custosCliArguments } from "./custosCliArguments.ts";
import type { LocalDataService, LocalDataServices } from "./LocalDataService.ts";
import { localNetworkFiles } from "./LocalNetwork.ts";
import { startLocalProcess } from "./startLocalProcess.ts";

/** A data service process of a running local network. */
export interface LocalDataServiceProcess {
  readonly service: LocalDataService;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Options of {@link startLocalDataService}. */
export interface StartLocalDataServiceOptions {
  /**
   * Give up on a service that does not answer within this long (default 120 s: it loads the
   * OMOP data and reads every consent from the chain before it listens).
   */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a hospital's data service: `custos data-service --config <hospital-i>/data-service.json`
 * with the project's Node, its output appended to `data-service.log`, its pid in
 * `data-service.pid` (removed when it exits); resolves once it answers `/liveness`. Start it
 * after the hospital's node, which it reads.
 *
 * @throws CustosError `NODE_START_FAILED` when a live process already holds its pid file, or
 *   it exits or stays silent past `startTimeoutMs` (naming its log).
 * @example
 * ```ts
 * const started = await startLocalDataService(data.services[0]);
 * ```
 */
export async function startLocalDataService(
  service: LocalDataService,
  options: StartLocalDataServiceOptions = {},
): Promise<LocalDataServiceProcess> {
  const { child, exited } = await startLocalProcess({
    label: `${service.name} data service`,
    node: service.name,
    args: custosCliArguments(["data-service", "--config", service.configFile]),
    pidFile: join(service.dir, localNetworkFiles.dataServicePid),
    logFile: join(service.dir, localNetworkFiles.dataServiceLog),
    url: service.url,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
  });
  return { service, child, exited };
}

/**
 * Starts the data service of every hospital, all at once, and resolves when each answers; on
 * a failure the ones started are stopped again.
 *
 * @throws CustosError from {@link startLocalDataService}.
 * @example
 * ```ts
 * const services = await startLocalDataServices(await writeLocalDataServices(network, { omopDir }));
 * ```
 */
export async function startLocalDataServices(
  data: LocalDataServices,
  options: StartLocalDataServiceOptions = {},
): Promise<LocalDataServiceProcess[]> {
  const results = await Promise.allSettled(
    data.services.map((service) => startLocalDataService(service, options)),
  );
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r) => r.status === "rejected");
  if (failed === undefined) return started;
  for (const process of started) process.child.kill("SIGTERM");
  await Promise.all(started.map((process) => process.exited));
  throw (failed as PromiseRejectedResult).reason;
}
