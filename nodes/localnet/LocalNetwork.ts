/** One node of a local network. */
export interface LocalNetworkNode {
  /** `hospital-<i>` or `observer-<j>`. */
  readonly name: string;
  readonly kind: "hospital" | "observer";
  /** Its directory (config, key, data, pid file, log). */
  readonly dir: string;
  readonly configFile: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  /** Its p2p address: `/ip4/127.0.0.1/tcp/<port>/p2p/<peerId>`. */
  readonly multiaddr: string;
  /** Address of its node key (the validator address of a hospital). */
  readonly address: string;
}

/** A local network as written in its directory (`network.json`). */
export interface LocalNetwork {
  readonly dir: string;
  readonly hospitals: number;
  readonly observers: number;
  readonly basePort: number;
  readonly p2pBasePort: number;
  readonly chainId: number;
  readonly genesisFile: string;
  /** Private keys of every account (mode 0600). */
  readonly keysFile: string;
  readonly nodes: readonly LocalNetworkNode[];
}

/** File names inside a local network's directory and its nodes' directories. */
export const localNetworkFiles = {
  manifest: "network.json",
  genesis: "genesis.json",
  keys: "keys.json",
  config: "config.json",
  validatorKey: "validator.key",
  nodeKey: "node.key",
  /** A hospital's admin account key: its node relays patients' signed consent changes with it. */
  relayerKey: "relayer.key",
  pid: "node.pid",
  log: "node.log",
  data: "data",
  /** Written by `network up --with-data`: what data services run and on which ports. */
  dataServices: "data-services.json",
  researcherConfig: "researcher.json",
  researcherKey: "researcher.key",
  reviewBoardConfig: "review-board.json",
  reviewBoardKey: "review-board.key",
  /** In a hospital's directory: its data service. */
  dataServiceConfig: "data-service.json",
  dataServiceData: "data-service",
  dataServicePid: "data-service.pid",
  dataServiceLog: "data-service.log",
  recorderKey: "recorder.key",
  /** In a hospital's directory: whether its synthetic consents are on chain. */
  consents: "consents.json",
} as const;
