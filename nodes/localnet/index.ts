/**
 * Local multi-hospital networks on one machine: the directory `custos network up` writes
 * (genesis, keys, one config per node), the node processes, their pid files, and status.
 *
 * @packageDocumentation
 */
export { type AddLocalHospitalOptions, addLocalHospital } from "./addLocalHospital.ts";
export {
  createLocalNetwork,
  defaultLocalNetworkOptions,
  type LocalNetworkOptions,
} from "./createLocalNetwork.ts";
export { custosNodeArguments } from "./custosNodeArguments.ts";
export { findFreePortRange } from "./findFreePortRange.ts";
export { type LocalNetwork, type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";
export { type LocalNodeStatus, localNetworkStatus } from "./localNetworkStatus.ts";
export { localNodeConfig } from "./localNodeConfig.ts";
export { type ReadLocalNetworkOptions, readLocalNetwork } from "./readLocalNetwork.ts";
export { processAlive, readPidFile } from "./readPidFile.ts";
export {
  type LocalNodeProcess,
  type StartLocalNetworkOptions,
  startLocalNetwork,
  startLocalNode,
} from "./startLocalNetwork.ts";
export { STOP_GRACE_MS, type StoppedNode, stopLocalNetwork } from "./stopLocalNetwork.ts";
