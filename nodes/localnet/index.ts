/**
 * Local multi-hospital networks on one machine: the directory `custos network up` writes
 * (genesis, keys, one config per node), the node processes, their pid files, and status;
 * with `--with-data`, each hospital's data service on a synthetic OMOP data set, its
 * consents on chain, and the researcher's and review board's configs.
 *
 * @packageDocumentation
 */
export { type AddLocalHospitalOptions, addLocalHospital } from "./addLocalHospital.ts";
export { checkLocalDataDir } from "./checkLocalDataDir.ts";
export {
  createLocalNetwork,
  defaultLocalNetworkOptions,
  type LocalNetworkOptions,
} from "./createLocalNetwork.ts";
export { custosCliArguments } from "./custosCliArguments.ts";
export { custosNodeArguments } from "./custosNodeArguments.ts";
export { findFreePortRange } from "./findFreePortRange.ts";
export type { LocalDataService, LocalDataServices } from "./LocalDataService.ts";
export { type LocalNetwork, type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";
export {
  type LoadLocalConsentsOptions,
  type LocalConsentLoad,
  loadLocalConsents,
} from "./loadLocalConsents.ts";
export { type LoadedConsents, loadSyntheticConsents } from "./loadSyntheticConsents.ts";
export { localDataServiceConfig, localDataServicePolicy } from "./localDataServiceConfig.ts";
export { type LocalDataServiceStatus, localDataServiceStatus } from "./localDataServiceStatus.ts";
export { type LocalNodeStatus, localNetworkStatus } from "./localNetworkStatus.ts";
export { localNodeConfig } from "./localNodeConfig.ts";
export { readLocalDataServices } from "./readLocalDataServices.ts";
export { type ReadLocalNetworkOptions, readLocalNetwork } from "./readLocalNetwork.ts";
export { processAlive, readPidFile } from "./readPidFile.ts";
export {
  type LocalDataServiceProcess,
  type StartLocalDataServiceOptions,
  startLocalDataService,
  startLocalDataServices,
} from "./startLocalDataService.ts";
export {
  type LocalNodeProcess,
  type StartLocalNetworkOptions,
  startLocalNetwork,
  startLocalNode,
} from "./startLocalNetwork.ts";
export { STOP_GRACE_MS, type StoppedNode, stopLocalNetwork } from "./stopLocalNetwork.ts";
export {
  type WriteLocalDataServicesOptions,
  writeLocalDataServices,
} from "./writeLocalDataServices.ts";
