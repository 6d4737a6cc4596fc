import { type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";

/** File names a node's config refers to, relative to its directory. */
const files = {
  data: "data",
  genesis: "../genesis.json",
  validatorKey: "validator.key",
  nodeKey: "node.key",
  relayerKey: "relayer.key",
  /** Written by the hospital's data service when it starts (its data dir beside the node's). */
  dataServiceConnection: `${localNetworkFiles.dataServiceData}/connection.json`,
} as const;

/**
 * The `custos node --config` document of a local network's node: data in `data/`, the
 * network's genesis one directory up, its key file (a hospital's validator key, an
 * observer's node key), with `relayer` the portal's relayer key file (a hospital's admin
 * account), a hospital's data-service connection file (the accounting of disclosures), p2p
 * and JSON-RPC on 127.0.0.1 at its ports, and `bootnodes`.
 *
 * @example
 * ```ts
 * await writeFile(node.configFile, JSON.stringify(localNodeConfig(node, bootnodes), null, 2));
 * ```
 */
export function localNodeConfig(
  node: Pick<LocalNetworkNode, "kind" | "rpcPort" | "p2pPort">,
  bootnodes: readonly string[],
  options: { readonly relayer?: boolean } = {},
): Record<string, unknown> {
  const hospital = node.kind === "hospital";
  return {
    dataDir: files.data,
    chain: { genesisFile: files.genesis },
    ...(hospital ? { validator: { keyFile: files.validatorKey } } : { observer: true }),
    ...(hospital
      ? {
          portal: {
            ...(options.relayer === true ? { relayerKeyFile: files.relayerKey } : {}),
            dataServiceConnectionFile: files.dataServiceConnection,
          },
        }
      : {}),
    p2p: {
      enabled: true,
      host: "127.0.0.1",
      port: node.p2pPort,
      bootnodes,
      ...(hospital ? {} : { keyFile: files.nodeKey }),
    },
    // Every node of a local network shares one machine: a bulk load's gas estimate may
    // wait behind the others' blocks well past the 5 s a hospital's own server allows.
    rpc: { host: "127.0.0.1", port: node.rpcPort, call: { timeoutMs: 30_000 } },
  };
}
